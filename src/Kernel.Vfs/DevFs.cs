// devtmpfs: the device nodes, made by the kernel rather than by mknod (Linux's devtmpfs), mounted
// at /dev at boot. One flat directory: a block node per disk of the DiskTable (sda …, vda …, as the
// drivers named them; brw------- with the disk's major and minor) and the character devices null
// (1,3) and zero (1,5), crw-rw-rw-, and console (5,1), crw-------.
//
// A block node reads and writes its disk at any offset and size, uncached (Kernel.Block.DirectIo:
// partial sectors read-modified-written, a read at the end returns 0 bytes, a write there ENOSPC);
// its size is 0, as stat reports for a Linux block device. A disk claimed by a mount or a swap
// area (BlockDevice.Claim) refuses to be opened: EBUSY. null reads nothing and swallows writes; zero
// reads zeros and swallows writes; console goes through the ConsoleDevice the kernel provides.
// The directory refuses creation and removal (EACCES, EPERM: the defaults). The node list is fixed
// when the file system is made (no hot plug). Not locked: the kernel calls the VFS with interrupts
// off; a block node's transfer sleeps for its I/O (the lock is let go meanwhile, see Kernel.Block).
using Kernel.Abi;
using Kernel.Block;

namespace Kernel.Vfs
{
    // The console as a character device (the kernel implements it over its terminal).
    public abstract class ConsoleDevice
    {
        public abstract Errno Read(byte[] buffer, int start, int count, out int read);
        public abstract Errno Write(byte[] buffer, int start, int count, out int written);
    }

    public sealed class DevFs : FileSystem
    {
        public const ushort ModeBlock = 0x180;       // 0600
        public const ushort ModeShared = 0x1B6;      // 0666
        private readonly DevDirectory _root;
        private readonly uint _created;

        // The disk behind a device node (mkswap, swapon, mount take a path to one).
        public static bool TryGetDisk(Inode inode, out BlockDevice disk)
        {
            BlockNode node = inode as BlockNode;
            disk = node == null ? null : node.Disk;
            return disk != null;
        }

        // created: the nodes' time (boot, seconds since 1970), as devtmpfs shows.
        public DevFs(DiskTable disks, ConsoleDevice console, uint created = 0)
        {
            _created = created;
            _root = new DevDirectory(this);
            for (int i = 0; i < disks.Count; i++)
            {
                BlockDevice disk = disks.At(i);
                _root.Add(disk.Name, new BlockNode(this, disk));
            }
            _root.Add("null", new CharNode(this, CharKind.Null, 1, 3, ModeShared, null));
            _root.Add("zero", new CharNode(this, CharKind.Zero, 1, 5, ModeShared, null));
            if (console != null) _root.Add("console", new CharNode(this, CharKind.Console, 5, 1, ModeBlock, console));
        }

        internal uint Created => _created;
        public override string Type => "devtmpfs";
        public override string Source => "devtmpfs";
        public override Inode Root => _root;
    }

    internal sealed class DevDirectory : Inode
    {
        private string[] _names = new string[8];
        private Inode[] _nodes = new Inode[8];
        private int _count;

        public DevDirectory(FileSystem fs) : base(fs, InodeKind.Directory, ModeDirectory) { }

        public override long MTime => ((DevFs)Fs).Created;
        public override long CTime => ((DevFs)Fs).Created;

        public override int EntryCount => _count;

        public void Add(string name, Inode node)
        {
            if (_count == _names.Length)
            {
                string[] names = new string[_count * 2];
                Inode[] nodes = new Inode[_count * 2];
                for (int i = 0; i < _count; i++) { names[i] = _names[i]; nodes[i] = _nodes[i]; }
                _names = names;
                _nodes = nodes;
            }
            _names[_count] = name;
            _nodes[_count] = node;
            _count++;
        }

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index < 0 || index >= _count) return false;
            name = _names[index];
            child = _nodes[index];
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            for (int i = 0; i < _count; i++)
                if (_names[i] == name) { child = _nodes[i]; return Errno.None; }
            child = null;
            return Errno.ENOENT;
        }
    }

    internal sealed class BlockNode : Inode
    {
        private readonly BlockDevice _disk;

        public BlockNode(FileSystem fs, BlockDevice disk) : base(fs, InodeKind.BlockDevice, DevFs.ModeBlock) { _disk = disk; }

        public BlockDevice Disk => _disk;
        public override BlockDevice BlockDevice => _disk;
        public override long MTime => ((DevFs)Fs).Created;
        public override long CTime => ((DevFs)Fs).Created;
        public override int DeviceMajor => _disk.Major;
        public override int DeviceMinor => _disk.Minor;

        public override Errno Open(OpenFlags flags) => _disk.Holder != null ? Errno.EBUSY : Errno.None;

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read) =>
            DirectIo.Read(_disk, offset, buffer, start, count, out read);

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written) =>
            DirectIo.Write(_disk, offset, buffer, start, count, out written);

        // O_TRUNC means nothing to a device.
        public override Errno Truncate(ulong size) => Errno.None;
    }

    internal enum CharKind : byte { Null, Zero, Console }

    internal sealed class CharNode : Inode
    {
        private readonly CharKind _what;
        private readonly int _major, _minor;
        private readonly ConsoleDevice _console;

        public CharNode(FileSystem fs, CharKind what, int major, int minor, ushort mode, ConsoleDevice console)
            : base(fs, InodeKind.CharDevice, mode)
        {
            _what = what;
            _major = major;
            _minor = minor;
            _console = console;
        }

        public override long MTime => ((DevFs)Fs).Created;
        public override long CTime => ((DevFs)Fs).Created;
        public override int DeviceMajor => _major;
        public override int DeviceMinor => _minor;

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (_what == CharKind.Console) return _console.Read(buffer, start, count, out read);
            if (_what == CharKind.Zero)
            {
                for (int i = 0; i < count; i++) buffer[start + i] = 0;
                read = count;
            }
            return Errno.None;
        }

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            if (_what == CharKind.Console) return _console.Write(buffer, start, count, out written);
            written = count;
            return Errno.None;
        }

        public override Errno Truncate(ulong size) => Errno.None;
    }
}
