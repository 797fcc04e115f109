// The kernel's file system tree: one Vfs with a ramfs at "/", configfs (the memory containers'
// control files) at "/config" and devtmpfs (Kernel.Vfs.DevFs: disks, null, zero, console) at
// "/dev", all set up at boot; the file system types `mount -t` knows; and the entry points task
// code uses, which resolve relative paths from the current task's working directory.
//
// Every call into Kernel.Vfs, its file systems, Kernel.Containers and Kernel.Mm runs with the
// interrupt lock held (one CPU, so that is the lock — a big file system lock, as early Linux had
// the BKL): ramfs pages and the charge counters are also touched by the page-fault path. The
// only place the lock is let go inside an operation is rmdir's charge move
// (ContainerHost.MayReschedule). Methods ending in Locked expect it held.
using Kernel.Containers;
using Kernel.Mm;
using Kernel.Proc;
using Kernel.Sched;
using Kernel.Sync;
using Kernel.Vfs;

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

        private FileSystems(MmContext mm, IrqLock irq, Scheduler scheduler, ContainerTable containers, DevFs devFs)
        {
            _devFs = devFs;
            _mm = mm;
            _irq = irq;
            _scheduler = scheduler;
            _tasks = new CurrentTaskContext(scheduler);
            _vfs = new Vfs.Vfs(new RamFs(mm, _tasks));
            _configFs = new ConfigFs(containers);
        }

        // The root ramfs, configfs on /config and devtmpfs (devFs, if any) on /dev; null if that fails.
        public static FileSystems Create(MmContext mm, IrqLock irq, Scheduler scheduler, ContainerTable containers, DevFs devFs)
        {
            using (irq.Hold())
            {
                FileSystems fs = new FileSystems(mm, irq, scheduler, containers, devFs);
                Errno e = fs._vfs.Mkdir("/", "/config");
                if (e == Errno.None) e = fs._vfs.Mount("/", "/config", fs._configFs);
                if (e == Errno.None && devFs != null) e = fs._vfs.Mkdir("/", "/dev");
                if (e == Errno.None && devFs != null) e = fs._vfs.Mount("/", "/dev", devFs);
                return e == Errno.None ? fs : null;
            }
        }

        public Vfs.Vfs Tree => _vfs;

        // A new instance of a file system type for mount -t; ENODEV for an unknown type.
        public Errno NewFileSystem(string type, out FileSystem fs)
        {
            fs = null;
            if (type == "ramfs") fs = new RamFs(_mm, _tasks);
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

        public Errno Mount(string type, string path)
        {
            Errno e = NewFileSystem(type, out FileSystem fs);
            if (e != Errno.None) return e;
            using (_irq.Hold()) return _vfs.Mount(Cwd, path, fs);
        }

        // busyPath: a directory in use (PID 1's cwd) keeps its mount busy.
        public Errno Unmount(string path, string busyPath)
        {
            using (_irq.Hold()) return _vfs.Unmount(Cwd, path, busyPath);
        }

        // A consistent copy of a directory's entries.
        public void Snapshot(Inode dir, out string[] names, out Inode[] children)
        {
            Kernel.Collections.Vector<string> n = new Kernel.Collections.Vector<string>(8);
            Kernel.Collections.Vector<Inode> c = new Kernel.Collections.Vector<Inode>(8);
            using (_irq.Hold())
            {
                int count = dir.EntryCount;
                for (int i = 0; i < count; i++)
                    if (dir.EntryAt(i, out string name, out Inode child)) { n.Add(name); c.Add(child); }
            }
            names = n.ToArray();
            children = c.ToArray();
        }

        public int MountCount => _vfs.MountCount;

        public void MountAt(int index, out string path, out FileSystem fs)
        {
            using (_irq.Hold()) _vfs.MountAt(index, out path, out fs);
        }
    }
}
