// The kernel's file system tree: one Vfs with a ramfs at "/", configfs (the memory containers'
// control files) at "/config", devtmpfs (Kernel.Vfs.DevFs: disks, null, zero, console) at "/dev"
// and procfs at "/proc", all set up at boot, with the empty directories /mnt and /tmp; the file
// system types `mount -t` knows (ramfs, configfs, devtmpfs, ext2 on a block device, or a device
// whose superblock says ext2); the mounted disk file systems, which sync, [flush], drop_caches and
// poweroff reach through here; and the entry points task code uses, which resolve relative paths
// from the current task's working directory.
//
// Every call into Kernel.Vfs, its file systems, Kernel.Containers and Kernel.Mm runs with the
// interrupt lock held (one CPU, so that is the lock — a big file system lock, as early Linux had
// the BKL): ramfs pages and the charge counters are also touched by the page-fault path. The
// lock is let go inside an operation only by rmdir's charge move (ContainerHost.MayReschedule)
// and by disk I/O, which sleeps (ext2 holds its own mutex across it). Methods ending in Locked
// expect it held.
using Kernel.Abi;
using Kernel.Block;
using Kernel.Collections;
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;
using Kernel.Vfs.Ext2;

namespace Kernel.Fs
{
    // The running task's container, for the page cache's "who brought this file in".
    internal sealed class CurrentTaskContext : TaskContext
    {
        private readonly Scheduler _scheduler;
        public CurrentTaskContext(Scheduler scheduler) { _scheduler = scheduler; }
        public override MemoryContainer CurrentContainer
        {
            get
            {
                Process p = _scheduler.Current as Process;
                return p == null ? null : p.Container;
            }
        }
    }

    internal sealed class FileSystems
    {
        private readonly Vfs.Vfs _vfs;
        private readonly MmContext _mm;
        private readonly IrqLock _irq;
        private readonly Scheduler _scheduler;
        private readonly TaskContext _tasks;
        private readonly ConfigFs _configFs;
        private readonly DevFs _devFs;
        private readonly FsHost _host;
        private readonly BufferPool _buffers;
        private readonly Vector<Ext2Fs> _disks = new Vector<Ext2Fs>(2);

        // The buffer cache's soft limit: 1/32 of the page frames (meminfo's Buffers).
        private FileSystems(MmContext mm, IrqLock irq, Scheduler scheduler, ContainerTable containers, DevFs devFs, FsHost host)
        {
            _devFs = devFs;
            _host = host;
            _buffers = new BufferPool(mm.Frames.Count / 32 < 256 ? 256 : mm.Frames.Count / 32);
            _mm = mm;
            _irq = irq;
            _scheduler = scheduler;
            _tasks = new CurrentTaskContext(scheduler);
            _vfs = new Vfs.Vfs(new RamFs(mm, _tasks, host));
            _configFs = new ConfigFs(containers);
        }

        // The root ramfs, configfs on /config, devtmpfs (devFs, if any) on /dev, procfs (proc, if
        // any) on /proc, /mnt and /tmp; null if that fails. host: what disk file systems need of
        // the kernel (null: no ext2).
        public static FileSystems Create(MmContext mm, IrqLock irq, Scheduler scheduler, ContainerTable containers, DevFs devFs,
            FsHost host = null, ProcFs proc = null)
        {
            using (irq.Hold())
            {
                FileSystems fs = new FileSystems(mm, irq, scheduler, containers, devFs, host);
                Errno e = fs._vfs.Mkdir("/", "/config");
                if (e == Errno.None) e = fs._vfs.Mount("/", "/config", fs._configFs);
                if (e == Errno.None && devFs != null) e = fs._vfs.Mkdir("/", "/dev");
                if (e == Errno.None && devFs != null) e = fs._vfs.Mount("/", "/dev", devFs);
                if (e == Errno.None && proc != null) e = fs._vfs.Mkdir("/", "/proc");
                if (e == Errno.None && proc != null) e = fs._vfs.Mount("/", "/proc", proc);
                if (e == Errno.None && host != null) e = fs._vfs.Mkdir("/", "/mnt");
                if (e == Errno.None && host != null) e = fs._vfs.Mkdir("/", "/tmp");
                return e == Errno.None ? fs : null;
            }
        }

        public Vfs.Vfs Tree => _vfs;
        public BufferPool Buffers => _buffers;
        public MmContext Memory => _mm;

        // A new instance of a file system type for mount -t; ENODEV for an unknown type.
        public Errno NewFileSystem(string type, out FileSystem fs)
        {
            fs = null;
            if (type == "ramfs") fs = new RamFs(_mm, _tasks, _host);
            else if (type == "configfs") fs = _configFs;   // one instance: the containers are global
            else if (type == "devtmpfs") fs = _devFs;      // one instance: the devices are global
            return fs == null ? Errno.ENODEV : Errno.None;
        }

        // The current task's working directory ("/" before processes exist, and for idle).
        private string Cwd
        {
            get
            {
                Process p = _scheduler.Current as Process;
                return p == null ? "/" : p.Cwd;
            }
        }

        public Errno Resolve(string path, out Inode inode, out string canonical)
        {
            using (_irq.Hold()) return _vfs.Resolve(Cwd, path, out inode, out canonical);
        }

        // lstat: a symbolic link named last is not followed.
        public Errno ResolveNoFollow(string path, out Inode inode, out string canonical)
        {
            using (_irq.Hold()) return _vfs.ResolveNoFollow(Cwd, path, out inode, out canonical);
        }

        public Errno Rename(string from, string to)
        {
            using (_irq.Hold()) return _vfs.Rename(Cwd, from, to);
        }

        public Errno Link(string existing, string path)
        {
            using (_irq.Hold()) return _vfs.Link(Cwd, existing, path);
        }

        public Errno Symlink(string target, string path)
        {
            using (_irq.Hold()) return _vfs.Symlink(Cwd, target, path);
        }

        public Errno ReadLink(string path, out string target)
        {
            using (_irq.Hold()) return _vfs.ReadLink(Cwd, path, out target);
        }

        public Errno Mkdir(string path)
        {
            using (_irq.Hold()) return _vfs.Mkdir(Cwd, path);
        }

        public Errno Rmdir(string path)
        {
            using (_irq.Hold()) return _vfs.Rmdir(Cwd, path);
        }

        public Errno Unlink(string path)
        {
            using (_irq.Hold()) return _vfs.Unlink(Cwd, path);
        }

        public Errno Open(string path, OpenFlags flags, out OpenFile file)
        {
            using (_irq.Hold()) return OpenLocked(path, flags, out file);
        }

        public Errno OpenLocked(string path, OpenFlags flags, out OpenFile file)
        {
            _irq.AssertHeld("fs: open");
            return _vfs.Open(Cwd, path, flags, out file);
        }

        public Errno Read(OpenFile file, byte[] buffer, int start, int count, out int read)
        {
            using (_irq.Hold()) return file.Read(buffer, start, count, out read);
        }

        public Errno Write(OpenFile file, byte[] buffer, int start, int count, out int written)
        {
            using (_irq.Hold()) return file.Write(buffer, start, count, out written);
        }

        public void Close(OpenFile file)
        {
            using (_irq.Hold()) file.Close();
        }

        public Errno Mount(string type, string path) => Mount(type, null, path);

        // mount -t TYPE SOURCE DIR; type null: the file system SOURCE's superblock names (ext2).
        // ENODEV for an unknown type, ENOTBLK when a disk file system's source is no disk, EINVAL
        // when nothing is recognised (the reason in dmesg), EBUSY for a disk in use.
        public Errno Mount(string type, string source, string path)
        {
            using (_irq.Hold())
            {
                Errno e = _vfs.Resolve(Cwd, path, out Inode target, out string canonical);
                if (e != Errno.None) return e;
                if (!target.IsDirectory) return Errno.ENOTDIR;
                if (type == null || type == "ext2") return MountDisk(type, source, canonical);
                e = NewFileSystem(type, out FileSystem fs);
                if (e != Errno.None) return e;
                return _vfs.Mount(Cwd, path, fs);
            }
        }

        private Errno MountDisk(string type, string source, string path)
        {
            if (_host == null) return Errno.ENODEV;
            if (source == null) return Errno.EINVAL;
            Errno e = _vfs.Resolve(Cwd, source, out Inode node, out string devicePath);
            if (e != Errno.None) return e;
            BlockDevice disk = node.BlockDevice;
            if (disk == null) return type == null ? Errno.EINVAL : Errno.ENOTBLK;
            if (disk.Holder != null) return Errno.EBUSY;
            if (type == null && !Ext2Fs.Probe(disk)) return Errno.EINVAL;
            e = Ext2Fs.TryMount(disk, devicePath, path, _mm, _host, _tasks, _buffers, false, out Ext2Fs fs);
            if (e != Errno.None) return e;
            e = _vfs.Mount("/", path, fs);
            if (e != Errno.None)
            {
                fs.Unmounted();
                return e;
            }
            _disks.Add(fs);
            return Errno.None;
        }

        // busyPath: a directory in use (PID 1's cwd) keeps its mount busy. path may name the mounted
        // device instead of the mount point (umount /dev/vdb).
        public Errno Unmount(string path, string busyPath)
        {
            using (_irq.Hold())
            {
                if (_vfs.Resolve(Cwd, path, out Inode node, out string canonical) == Errno.None && node.BlockDevice != null)
                    for (int i = 0; i < _vfs.MountCount; i++)
                    {
                        _vfs.MountAt(i, out string at, out FileSystem mounted);
                        if (mounted.Source == canonical) { path = at; break; }
                    }
                _vfs.Resolve(Cwd, path, out Inode root, out string _);
                Errno e = _vfs.Unmount(Cwd, path, busyPath);
                if (e == Errno.None)
                    for (int i = 0; i < _disks.Count; i++)
                        if (_disks[i].Root == root) { _disks.RemoveAt(i); break; }
                return e;
            }
        }

        // The disk file systems mounted now (a copy: syncing sleeps, and mounts may change meanwhile).
        private Ext2Fs[] Disks()
        {
            using (_irq.Hold()) return _disks.ToArray();
        }

        // sync: every mounted disk file system's dirty pages and metadata; the first error.
        public Errno SyncAll()
        {
            Ext2Fs[] disks = Disks();
            Errno first = Errno.None;
            for (int i = 0; i < disks.Length; i++)
            {
                Errno e;
                using (_irq.Hold()) e = disks[i].Sync();
                if (first == Errno.None) first = e;
            }
            return first;
        }

        // [flush]: what was dirtied at or before `dirtiedBy` (ms of uptime). Allocates nothing (it
        // runs every second, beside programs that count free frames); a file system unmounted
        // while another is written may be skipped this time.
        public void WriteBackOld(ulong dirtiedBy)
        {
            for (int i = 0; ; i++)
            {
                using (_irq.Hold())
                {
                    if (i >= _disks.Count) return;
                    Ext2Fs fs = _disks[i];
                    if (fs.HasDirty) fs.WriteBackOld(dirtiedBy);
                }
            }
        }

        // Whether any mounted disk file system has something to write.
        public bool HasDirty()
        {
            Ext2Fs[] disks = Disks();
            using (_irq.Hold())
                for (int i = 0; i < disks.Length; i++) if (disks[i].HasDirty) return true;
            return false;
        }

        // poweroff: everything written and every disk file system marked clean, read-only from
        // now on (as Linux remounts read-only before it powers off).
        public void Shutdown()
        {
            Ext2Fs[] disks = Disks();
            for (int i = 0; i < disks.Length; i++)
                using (_irq.Hold()) disks[i].Shutdown();
        }

        // drop_caches: 1 clean page-cache pages of disk files, 2 clean buffers, 3 both. Pages
        // counted dropped.
        public ulong DropCaches(int what)
        {
            ulong n = 0;
            using (_irq.Hold())
            {
                if ((what & 1) != 0)
                {
                    PageCacheRegistry caches = _mm.Caches;
                    for (int i = 0; i < caches.Count; i++)
                    {
                        PageCache c = caches.At(i);
                        if (c.IsEvictable) n += c.DropClean();
                    }
                }
                if ((what & 2) != 0) n += _buffers.DropClean();
            }
            return n;
        }

        // A consistent copy of a directory's entries; the error when the directory cannot be read.
        public Errno Snapshot(Inode dir, out string[] names, out Inode[] children)
        {
            Kernel.Collections.Vector<string> n = new Kernel.Collections.Vector<string>(8);
            Kernel.Collections.Vector<Inode> c = new Kernel.Collections.Vector<Inode>(8);
            Errno e;
            using (_irq.Hold())
            {
                e = dir.CountEntries(out int count);
                for (int i = 0; i < count; i++)
                    if (dir.EntryAt(i, out string name, out Inode child)) { n.Add(name); c.Add(child); }
            }
            names = n.ToArray();
            children = c.ToArray();
            return e;
        }

        public int MountCount => _vfs.MountCount;

        public void MountAt(int index, out string path, out FileSystem fs)
        {
            using (_irq.Hold()) _vfs.MountAt(index, out path, out fs);
        }
    }
}
