// A mounted ext2 file system (Linux's fs/ext2/super.c): the superblock and group descriptors as
// read at mount, the inodes in memory (one Ext2Inode per inode number, found through a hash), the
// buffer cache for metadata, the sleeping lock, and mount, sync, statfs and unmount.
//
// Mount: the device is claimed (EBUSY when it is in use), the superblock checked (EINVAL with the
// reason in dmesg: bad magic, sizes, an unknown incompatible feature such as extents or a journal
// needing recovery); an unknown read-only-compatible feature, or a read-only device, mounts it
// read-only (every change EROFS). Unknown compatible features are ignored: extended-attribute
// blocks are kept as they are, the resize inode and its reserved blocks never touched. A
// read-write mount clears the superblock's clean flag and counts the mount; unmount writes every
// dirty page and buffer, sets the clean flag again, and frees every page of the mount.
//
// Locking: every operation that reads or changes on-disk structures holds Lock (the kernel's
// Mutex), across the sleeps of its I/O; the page-cache read path of a page fault (ReadPage) does
// not, it only follows block maps (truncation waits for the pages it would free first). Under the
// lock, Groups[g] and the Super counters are the truth; the group descriptor blocks are updated
// as they change, the superblock at sync. Invariant: Super.FreeBlocks is the sum of the groups'
// FreeBlocks (Super.FreeInodes likewise), and each matches its bitmap on a consistent image.
// Corruption found on disk is EUCLEAN (EIO for a failed read) with a dmesg line, never a panic.
using Kernel.Abi;
using Kernel.Block;
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Vfs.Ext2
{
    internal struct Group
    {
        public uint BlockBitmap, InodeBitmap, InodeTable;
        public uint FreeBlocks, FreeInodes, UsedDirs;
    }

    public sealed unsafe partial class Ext2Fs : FileSystem
    {
        private const int InodeBuckets = 512;

        internal readonly BlockDevice Device;
        internal readonly MmContext Vm;
        internal readonly FsHost Host;
        internal readonly TaskContext Tasks;
        internal readonly SleepLock Lock;
        internal readonly string Name;          // the device's name, for dmesg
        private readonly string _source;
        private readonly string _holder;
        internal BufferCache Buffers;
        internal Ext2Super Super;
        internal uint BlockSize, Ptrs;
        internal int BlockShift;
        internal uint GroupCount, GdtBlocks, InodeTableBlocks;
        internal Group[] Groups;
        internal bool Filetype, SparseSuper;
        private bool _readOnly;
        private bool _superDirty;
        private ulong _superDirtiedMs;
        private bool _mounted;
        private readonly Ext2Inode[] _inodes = new Ext2Inode[InodeBuckets];
        private int _inodeCount;
        private Ext2Inode _root;
        internal int OpenFiles;
        internal readonly Vector<Ext2Inode> DirtyInodes = new Vector<Ext2Inode>(8);

        private Ext2Fs(BlockDevice device, string source, string holder, MmContext vm, FsHost host, TaskContext tasks)
        {
            Device = device;
            Name = device.Name;
            _source = source;
            _holder = holder;
            Vm = vm;
            Host = host;
            Tasks = tasks;
            Lock = host.CreateLock();
        }

        public override string Type => "ext2";
        public override Inode Root => _root;
        public override string Source => _source;
        public override bool ReadOnly => _readOnly;
        public string VolumeName => Super.VolumeName;

        // Whether the device holds an ext2 superblock (mount without -t).
        public static bool Probe(BlockDevice device)
        {
            byte[] sb = new byte[1024];
            if (DirectIo.Read(device, Ext2Const.SuperOffset, sb, 0, 1024, out int read) != Errno.None || read != 1024) return false;
            return (sb[56] | (sb[57] << 8)) == Ext2Const.Magic;
        }

        // Mounts the ext2 file system on device. holder: what claims the device (the mount path);
        // source: its name in /proc/mounts ("/dev/vdb").
        public static Errno TryMount(BlockDevice device, string source, string holder, MmContext vm, FsHost host,
            TaskContext tasks, BufferPool pool, bool readOnly, out Ext2Fs fs)
        {
            fs = null;
            if (device == null) return Errno.ENOTBLK;
            Errno e = device.Claim(holder);
            if (e != Errno.None) return e;
            Ext2Fs f = new Ext2Fs(device, source, holder, vm, host, tasks);
            f.Lock.Lock();
            e = f.Load(pool, readOnly);
            f.Lock.Unlock();
            if (e != Errno.None)
            {
                if (f.Buffers != null) f.Buffers.ReleaseAll();
                device.Release(holder);
                return e;
            }
            f._mounted = true;
            fs = f;
            return Errno.None;
        }

        private Errno Load(BufferPool pool, bool readOnly)
        {
            byte[] raw = new byte[1024];
            Errno e = DirectIo.Read(Device, Ext2Const.SuperOffset, raw, 0, 1024, out int read);
            if (e != Errno.None || read != 1024) return Fail("cannot read the superblock", Errno.EIO);
            fixed (byte* p = raw) Super = Ext2Super.Parse(p);
            string why = Super.Invalid(Device.Bytes);
            if (why != null) return Fail(why, Errno.EINVAL);
            uint unknown = Super.Incompat & ~Ext2Const.IncompatSupported;
            if (unknown != 0)
            {
                string what = (unknown & Ext2Const.IncompatRecover) != 0 ? " (a journal needs recovery)" :
                    (unknown & Ext2Const.IncompatExtents) != 0 ? " (extents)" : "";
                return Fail(string.Concat("couldn't mount because of unsupported optional features (", Hex(unknown), ")", what), Errno.EINVAL);
            }
            _readOnly = readOnly || Device.ReadOnly;
            uint roUnknown = Super.RoCompat & ~Ext2Const.RoCompatSupported;
            if (roUnknown != 0 && !_readOnly)
            {
                Host.Log(string.Concat("ext2: ", Name, ": couldn't mount RDWR because of unsupported optional features (", Hex(roUnknown), "): mounted read-only"));
                _readOnly = true;
            }
            BlockSize = Super.BlockSize;
            BlockShift = 10 + (int)Super.LogBlockSize;
            Ptrs = BlockSize / 4;
            Filetype = (Super.Incompat & Ext2Const.IncompatFiletype) != 0;
            SparseSuper = (Super.RoCompat & Ext2Const.RoCompatSparseSuper) != 0;
            GroupCount = (Super.BlocksCount - Super.FirstDataBlock + Super.BlocksPerGroup - 1) / Super.BlocksPerGroup;
            GdtBlocks = (GroupCount * Ext2Const.GroupDescSize + BlockSize - 1) / BlockSize;
            InodeTableBlocks = (Super.InodesPerGroup * Super.InodeSize + BlockSize - 1) / BlockSize;
            Buffers = new BufferCache(Device, Vm, pool, Host, (int)BlockSize);
            e = LoadGroups();
            if (e != Errno.None) return e;
            // The superblock's free counts may lag (Linux keeps them in per-CPU counters and writes
            // them at unmount): the group descriptors are the truth, as ext2_fill_super counts.
            uint freeBlocks = 0, freeInodes = 0;
            for (uint g = 0; g < GroupCount; g++)
            {
                freeBlocks += Groups[g].FreeBlocks;
                freeInodes += Groups[g].FreeInodes;
            }
            if (freeBlocks != Super.FreeBlocks || freeInodes != Super.FreeInodes)
            {
                Super.FreeBlocks = freeBlocks;
                Super.FreeInodes = freeInodes;
                SuperChanged();
            }
            e = GetInode(Ext2Const.RootIno, out Ext2Inode root);
            if (e != Errno.None || !root.IsDirectory) return Fail("corrupt root inode", Errno.EINVAL);
            _root = root;
            if (!_readOnly)
            {
                if ((Super.State & Ext2Const.StateValid) == 0)
                    Host.Log(string.Concat("ext2: ", Name, ": warning: mounting unchecked fs, running e2fsck is recommended"));
                else if ((Super.State & Ext2Const.StateErrors) != 0)
                    Host.Log(string.Concat("ext2: ", Name, ": warning: mounting fs with errors, running e2fsck is recommended"));
                Super.State = (ushort)(Super.State & ~Ext2Const.StateValid);
                Super.MntCount++;
                Super.Mtime = Host.Now;
                e = WriteSuper(true);
                if (e != Errno.None) return Fail("cannot write the superblock", e);
            }
            Host.Log(string.Concat("ext2: ", Name, ": mounted (", BlockSize.ToString(), "-byte blocks, ",
                string.Concat(GroupCount.ToString(), " groups, ", Super.InodeSize.ToString(), "-byte inodes, ", _readOnly ? "ro)" : "rw)")));
            return Errno.None;
        }

        private Errno LoadGroups()
        {
            Groups = new Group[GroupCount];
            uint perBlock = BlockSize / Ext2Const.GroupDescSize;
            for (uint g = 0; g < GroupCount; g++)
            {
                Errno e = Buffers.Get(Super.FirstDataBlock + 1 + g / perBlock, out Buf b);
                if (e != Errno.None) return Fail("cannot read the group descriptors", e);
                byte* d = b.Data + (g % perBlock) * Ext2Const.GroupDescSize;
                Group gr;
                gr.BlockBitmap = Le.U32(d);
                gr.InodeBitmap = Le.U32(d + 4);
                gr.InodeTable = Le.U32(d + 8);
                gr.FreeBlocks = Le.U16(d + 12);
                gr.FreeInodes = Le.U16(d + 14);
                gr.UsedDirs = Le.U16(d + 16);
                Buffers.Put(ref b);
                uint first = GroupFirst(g), last = GroupFirst(g) + GroupBlocks(g) - 1;
                if (gr.BlockBitmap < first || gr.BlockBitmap > last)
                    return Fail(string.Concat("group ", g.ToString(), ": block bitmap not in group (block ", gr.BlockBitmap.ToString(), ")"), Errno.EINVAL);
                if (gr.InodeBitmap < first || gr.InodeBitmap > last)
                    return Fail(string.Concat("group ", g.ToString(), ": inode bitmap not in group (block ", gr.InodeBitmap.ToString(), ")"), Errno.EINVAL);
                if (gr.InodeTable < first || gr.InodeTable + InodeTableBlocks - 1 > last)
                    return Fail(string.Concat("group ", g.ToString(), ": inode table not in group (block ", gr.InodeTable.ToString(), ")"), Errno.EINVAL);
                Groups[g] = gr;
            }
            return Errno.None;
        }

        private Errno Fail(string why, Errno e)
        {
            Host.Log(string.Concat("ext2: ", Name, ": ", why));
            return e;
        }

        // Corruption found: a dmesg line, the error flag in the superblock, EUCLEAN.
        internal Errno Corrupt(string why)
        {
            Host.Log(string.Concat("ext2: ", Name, ": error: ", why));
            if (!_readOnly && (Super.State & Ext2Const.StateErrors) == 0)
            {
                Super.State |= Ext2Const.StateErrors;
                SuperChanged();
            }
            return Errno.EUCLEAN;
        }

        internal static string Hex(uint v)
        {
            const string digits = "0123456789abcdef";
            char[] c = new char[8];
            int n = 0;
            do { c[7 - n] = digits[(int)(v & 15)]; v >>= 4; n++; } while (v != 0);
            return new string(c, 8 - n, n);
        }

        // Groups and their blocks.
        internal uint GroupFirst(uint g) => Super.FirstDataBlock + g * Super.BlocksPerGroup;
        internal uint GroupBlocks(uint g) =>
            g == GroupCount - 1 ? Super.BlocksCount - GroupFirst(g) : Super.BlocksPerGroup;
        internal bool ValidBlock(uint b) => b >= Super.FirstDataBlock && b < Super.BlocksCount;

        internal bool HasSuper(uint g)
        {
            if (!SparseSuper || g <= 1) return true;
            return IsPower(g, 3) || IsPower(g, 5) || IsPower(g, 7);
        }

        private static bool IsPower(uint n, uint b)
        {
            uint x = b;
            while (x < n) x *= b;
            return x == n;
        }

        // The group descriptor of g, written into its buffer (after a count changed).
        internal Errno WriteGroup(uint g)
        {
            uint perBlock = BlockSize / Ext2Const.GroupDescSize;
            Errno e = Buffers.Get(Super.FirstDataBlock + 1 + g / perBlock, out Buf b);
            if (e != Errno.None) return e;
            byte* d = b.Data + (g % perBlock) * Ext2Const.GroupDescSize;
            Le.Put16(d + 12, Groups[g].FreeBlocks);
            Le.Put16(d + 14, Groups[g].FreeInodes);
            Le.Put16(d + 16, Groups[g].UsedDirs);
            Buffers.MarkDirty(b);
            Buffers.Put(ref b);
            return Errno.None;
        }

        // The superblock's changing fields into its buffer; `now` also writes it to the disk.
        private Errno WriteSuper(bool now)
        {
            uint block = Ext2Const.SuperOffset / BlockSize;
            Errno e = Buffers.Get(block, out Buf b);
            if (e != Errno.None) return e;
            byte* p = b.Data + Ext2Const.SuperOffset % BlockSize;
            Le.Put32(p + 12, Super.FreeBlocks);
            Le.Put32(p + 16, Super.FreeInodes);
            Le.Put32(p + 44, Super.Mtime);
            Super.Wtime = Host.Now;
            Le.Put32(p + 48, Super.Wtime);
            Le.Put16(p + 52, Super.MntCount);
            Le.Put16(p + 58, Super.State);
            Buffers.MarkDirty(b);
            Buffers.Put(ref b);
            _superDirty = false;
            return now ? Buffers.Sync(ulong.MaxValue) : Errno.None;
        }

        internal void SuperChanged()
        {
            if (_superDirty) return;
            _superDirty = true;
            _superDirtiedMs = Host.UptimeMs;
        }

        // The inode in memory, read from its table on first use. EUCLEAN for a number out of range
        // or an inode that is not in use; EIO.
        internal Errno GetInode(uint ino, out Ext2Inode node)
        {
            node = null;
            for (Ext2Inode i = _inodes[ino & (InodeBuckets - 1)]; i != null; i = i.HashNext)
                if (i.Number == ino) { node = i; return Errno.None; }
            if (ino == 0 || ino > Super.InodesCount || (ino < Super.FirstIno && ino != Ext2Const.RootIno))
                return Corrupt(string.Concat("inode number ", ino.ToString(), " out of range"));
            Errno e = Ext2Inode.Load(this, ino, out node);
            if (e != Errno.None) return e;
            // Another task may have loaded it while this one slept on the read.
            for (Ext2Inode i = _inodes[ino & (InodeBuckets - 1)]; i != null; i = i.HashNext)
                if (i.Number == ino) { node.Forget(); node = i; return Errno.None; }
            Hash(node);
            return Errno.None;
        }

        internal void Hash(Ext2Inode node)
        {
            uint bucket = node.Number & (InodeBuckets - 1);
            node.HashNext = _inodes[bucket];
            _inodes[bucket] = node;
            _inodeCount++;
        }

        internal void Unhash(Ext2Inode node)
        {
            uint bucket = node.Number & (InodeBuckets - 1);
            if (_inodes[bucket] == node) _inodes[bucket] = node.HashNext;
            else
                for (Ext2Inode i = _inodes[bucket]; i != null; i = i.HashNext)
                    if (i.HashNext == node) { i.HashNext = node.HashNext; break; }
            node.HashNext = null;
            _inodeCount--;
        }

        internal bool IsHashed(Ext2Inode node)
        {
            for (Ext2Inode i = _inodes[node.Number & (InodeBuckets - 1)]; i != null; i = i.HashNext) if (i == node) return true;
            return false;
        }

        // The inode's pages were written (or dropped): off the dirty list.
        internal void NotDirty(Ext2Inode node)
        {
            if (!node.OnDirtyList) return;
            node.OnDirtyList = false;
            for (int i = 0; i < DirtyInodes.Count; i++)
                if (DirtyInodes[i] == node) { DirtyInodes.RemoveAt(i); break; }
        }

        internal void Dirtied(Ext2Inode node)
        {
            if (node.OnDirtyList) return;
            node.OnDirtyList = true;
            node.DirtiedMs = Host.UptimeMs;
            DirtyInodes.Add(node);
        }

        // Where inode ino lives: its inode-table block and the byte offset in it.
        internal void InodeLocation(uint ino, out uint block, out uint offset)
        {
            uint g = (ino - 1) / Super.InodesPerGroup;
            uint at = (ino - 1) % Super.InodesPerGroup * Super.InodeSize;
            block = Groups[g].InodeTable + at / BlockSize;
            offset = at % BlockSize;
        }

        // sync: every dirty page of every file, then the metadata; the first error.
        public override Errno Sync()
        {
            Lock.Lock();
            Errno e = SyncLocked(ulong.MaxValue);
            Lock.Unlock();
            return e;
        }

        // Writeback of what was dirtied at or before `dirtiedBy` (ms of uptime): [flush] calls this
        // with five seconds ago.
        public Errno WriteBackOld(ulong dirtiedBy)
        {
            Lock.Lock();
            Errno e = _mounted ? SyncLocked(dirtiedBy) : Errno.None;
            Lock.Unlock();
            return e;
        }

        public bool HasDirty
        {
            get
            {
                if (DirtyInodes.Count > 0 || _superDirty) return true;
                return Buffers != null && Buffers.HasDirty();
            }
        }

        private Errno SyncLocked(ulong dirtiedBy)
        {
            if (_readOnly || !_mounted) return Errno.None;
            Errno first = Errno.None;
            int i = 0;
            while (i < DirtyInodes.Count)
            {
                Ext2Inode node = DirtyInodes[i];
                if (node.DirtiedMs > dirtiedBy) { i++; continue; }
                Errno e = node.SyncPages();
                if (first == Errno.None) first = e;
                // SyncPages takes a clean inode off the list; one still dirty (an error) stays.
                if (i < DirtyInodes.Count && DirtyInodes[i] == node) i++;
            }
            // Metadata: once anything in it is old enough, all of it goes (the superblock's counters
            // with it), as Linux writes the block device's dirty buffers when it is due.
            bool due = (_superDirty && _superDirtiedMs <= dirtiedBy) || Buffers.HasDirty(dirtiedBy);
            if (!due) return first;
            if (_superDirty)
            {
                Errno e = WriteSuper(false);
                if (first == Errno.None) first = e;
            }
            Errno m = Buffers.Sync(ulong.MaxValue);
            if (first == Errno.None) first = m;
            return first;
        }

        public override Errno StatFs(out FsStats stats)
        {
            stats = default;
            Lock.Lock();
            // As Linux's statfs (ext4's, which mounts ext2 on today's systems): the blocks of the
            // superblock copies, group descriptor tables and the descriptor blocks reserved for
            // resizing, bitmaps and inode tables are not counted as the file system's.
            ulong overhead = Super.FirstDataBlock;
            uint reserved = (Super.Compat & Ext2Const.CompatResizeInode) != 0 ? Super.ReservedGdtBlocks : 0u;
            for (uint g = 0; g < GroupCount; g++) if (HasSuper(g)) overhead += 1 + GdtBlocks + reserved;
            overhead += (ulong)GroupCount * (2 + InodeTableBlocks);
            stats.BlockSize = BlockSize;
            stats.Blocks = Super.BlocksCount - overhead;
            stats.BlocksFree = Super.FreeBlocks;
            stats.BlocksAvailable = Super.FreeBlocks > Super.RBlocksCount ? Super.FreeBlocks - Super.RBlocksCount : 0;
            stats.Files = Super.InodesCount;
            stats.FilesFree = Super.FreeInodes;
            Lock.Unlock();
            return Errno.None;
        }

        // umount: busy while a file is open; the dirty data goes to the disk now (the mount is
        // still there if this fails for a reason other than the disk).
        public override Errno CanUnmount()
        {
            if (OpenFiles > 0) return Errno.EBUSY;
            Lock.Lock();
            Errno e = SyncLocked(ulong.MaxValue);
            Lock.Unlock();
            if (e != Errno.None) Host.Log(string.Concat("ext2: ", Name, ": writeback before unmount failed: ", ErrnoText.Message(e)));
            return Errno.None;
        }

        // Off the tree: a last writeback, the clean flag, then every page and buffer is freed and
        // the device released.
        public override void Unmounted()
        {
            Lock.Lock();
            SyncLocked(ulong.MaxValue);
            if (!_readOnly)
            {
                if ((Super.State & Ext2Const.StateErrors) == 0) Super.State |= Ext2Const.StateValid;
                Errno e = WriteSuper(true);
                if (e != Errno.None) Host.Log(string.Concat("ext2: ", Name, ": cannot write the superblock at unmount: ", ErrnoText.Message(e)));
            }
            _mounted = false;
            for (int b = 0; b < InodeBuckets; b++)
            {
                for (Ext2Inode i = _inodes[b]; i != null; i = i.HashNext) i.Forget();
                _inodes[b] = null;
            }
            _inodeCount = 0;
            DirtyInodes.Clear();
            Buffers.ReleaseAll();
            Lock.Unlock();
            Device.Release(_holder);
            Host.Log(string.Concat("ext2: ", Name, ": unmounted"));
        }

        // poweroff: everything written, the clean flag set, read-only from now on (Linux remounts
        // read-only before it powers off).
        public void Shutdown()
        {
            Lock.Lock();
            if (_mounted && !_readOnly)
            {
                SyncLocked(ulong.MaxValue);
                if ((Super.State & Ext2Const.StateErrors) == 0) Super.State |= Ext2Const.StateValid;
                WriteSuper(true);
                _readOnly = true;
            }
            Lock.Unlock();
        }

        // drop_caches 1 for this file system happens through the page caches; inodes stay.
        public int InodesInMemory => _inodeCount;

        // The first broken invariant of the in-memory state, or null (host tests).
        public string Verify()
        {
            ulong freeBlocks = 0, freeInodes = 0;
            for (uint g = 0; g < GroupCount; g++)
            {
                freeBlocks += Groups[g].FreeBlocks;
                freeInodes += Groups[g].FreeInodes;
            }
            if (freeBlocks != Super.FreeBlocks) return string.Concat("ext2: groups count ", freeBlocks.ToString(), " free blocks, the superblock ", Super.FreeBlocks.ToString());
            if (freeInodes != Super.FreeInodes) return string.Concat("ext2: groups count ", freeInodes.ToString(), " free inodes, the superblock ", Super.FreeInodes.ToString());
            return Buffers.Verify();
        }
    }
}
