// Files and directories as the VFS sees them (Linux's struct inode with its inode_operations and
// file_operations folded into virtual methods), and the file systems that own them.
//
// A file system overrides what it supports; the defaults answer as Linux does when an operation
// is missing: on a regular file every directory operation is ENOTDIR, on a directory every file
// operation is EISDIR; a directory without create gives EACCES (vfs_create), without
// mkdir/rmdir/unlink EPERM. Names reaching the directory operations were checked by the VFS:
// non-empty, no '/', not "." or "..", at most 255 characters.
//
// Links, renames and symbolic links: Link gives an existing non-directory of the same file system a
// second name (the VFS checked the file system and the kind: EXDEV, EPERM); Rename moves an entry
// to another directory of the same file system, replacing what the new name held (the VFS checked
// that a directory is not moved below itself); a file system without them says EPERM. A symbolic
// link's ReadLink gives its target, which the VFS follows (Vfs.cs).
//
// Mode holds the permission bits (0755 = 0x1ED ...). The VFS checks them at open: reading needs
// owner read (0x100), writing owner write (0x80), else EACCES — even for root, as sysfs and
// configfs attributes behave.
// Not locked: the kernel calls the VFS and every file system with interrupts off.
using Kernel.Abi;
using Kernel.Mm;

namespace Kernel.Vfs
{
    public enum InodeKind : byte { Directory, Regular, BlockDevice, CharDevice, Symlink, Fifo, Socket }   // Fifo: also a pipe's end (Pipe.cs)

    // What statfs reports (df): sizes in blocks of BlockSize bytes.
    public struct FsStats
    {
        public uint BlockSize;
        public ulong Blocks, BlocksFree, BlocksAvailable, Files, FilesFree;
    }

    public abstract class FileSystem
    {
        private ulong _nextIno;

        public abstract string Type { get; }
        public abstract Inode Root { get; }

        // Asked by umount before the file system is taken off the tree (configfs: EBUSY while
        // containers exist).
        public virtual Errno CanUnmount() => Errno.None;
        // The unmount is done (CanUnmount said yes): give back what only the mount kept alive.
        public virtual void Unmounted() { }

        public ulong NextIno() => ++_nextIno;

        // What /proc/mounts and df name as the source ("/dev/vdb"; "none" for virtual ones).
        public virtual string Source => "none";
        public virtual bool ReadOnly => false;
        // statfs: ENOSYS-like EINVAL for a file system without sizes (df skips it).
        public virtual Errno StatFs(out FsStats stats)
        {
            stats = default;
            return Errno.EINVAL;
        }
        // Writes everything dirty back to the disk (sync); nothing to do for memory file systems.
        public virtual Errno Sync() => Errno.None;
    }

    public abstract class Inode
    {
        public const ushort ModeDirectory = 0x1ED;   // 0755
        public const ushort ModeFile = 0x1A4;        // 0644
        public const ushort OwnerRead = 0x100;
        public const ushort OwnerWrite = 0x80;

        private readonly FileSystem _fs;
        private readonly ulong _ino;
        private readonly InodeKind _kind;

        protected Inode(FileSystem fs, InodeKind kind, ushort mode)
        {
            _fs = fs;
            _kind = kind;
            _ino = fs.NextIno();
            Mode = mode;
        }

        // A file system with its own inode numbers (ext2).
        protected Inode(FileSystem fs, InodeKind kind, ushort mode, ulong ino)
        {
            _fs = fs;
            _kind = kind;
            _ino = ino;
            Mode = mode;
        }

        public FileSystem Fs => _fs;
        public ulong Ino => _ino;
        public InodeKind Kind => _kind;
        public bool IsDirectory => _kind == InodeKind.Directory;
        public ushort Mode { get; protected set; }
        public virtual ulong Size => 0;
        // A device node's numbers (ls -l shows "major, minor" instead of the size).
        public virtual int DeviceMajor => 0;
        public virtual int DeviceMinor => 0;
        public bool IsDevice => _kind == InodeKind.BlockDevice || _kind == InodeKind.CharDevice;
        public virtual int Links => _kind == InodeKind.Directory ? 2 : 1;
        // The page cache mmap maps; null: the file cannot be mapped (ENODEV).
        public virtual PageCache Mapping => null;
        public bool IsSymlink => _kind == InodeKind.Symlink;
        public virtual uint Uid => 0;
        public virtual uint Gid => 0;
        // Modification, access and change times, seconds since 1970 (0: unknown).
        public virtual long MTime => 0;
        public virtual long ATime => 0;
        public virtual long CTime => 0;
        // 512-byte units allocated (stat's Blocks).
        public virtual ulong Blocks => (Size + 511) / 512;
        // The disk a block device node stands for (mount's source), else null.
        public virtual Kernel.Block.BlockDevice BlockDevice => null;

        // A symbolic link's target.
        public virtual Errno ReadLink(out string target)
        {
            target = null;
            return Errno.EINVAL;
        }

        // Directory operations.
        public virtual Errno Lookup(string name, out Inode child)
        {
            child = null;
            return IsDirectory ? Errno.ENOENT : Errno.ENOTDIR;
        }

        public virtual Errno Create(string name, out Inode child)
        {
            child = null;
            return IsDirectory ? Errno.EACCES : Errno.ENOTDIR;
        }

        public virtual Errno Mkdir(string name, out Inode child)
        {
            child = null;
            return IsDirectory ? Errno.EPERM : Errno.ENOTDIR;
        }

        public virtual Errno Rmdir(string name) => IsDirectory ? Errno.EPERM : Errno.ENOTDIR;
        public virtual Errno Unlink(string name) => IsDirectory ? Errno.EPERM : Errno.ENOTDIR;

        public virtual Errno Symlink(string name, string target, out Inode child)
        {
            child = null;
            return IsDirectory ? Errno.EPERM : Errno.ENOTDIR;
        }

        // A new name for target (a non-directory of this file system).
        public virtual Errno Link(string name, Inode target) => IsDirectory ? Errno.EPERM : Errno.ENOTDIR;

        // Moves entry name to newName in newDir (a directory of this file system), replacing it.
        public virtual Errno Rename(string name, Inode newDir, string newName) => IsDirectory ? Errno.EPERM : Errno.ENOTDIR;

        // Entries without "." and "..", in the directory's own order.
        public virtual int EntryCount => 0;

        // As EntryCount, with the error a directory that cannot be read gives (EUCLEAN, EIO).
        public virtual Errno CountEntries(out int count)
        {
            count = EntryCount;
            return Errno.None;
        }

        public virtual bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            return false;
        }

        // File operations. Read returns 0 bytes at the end of the file.
        public virtual Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            return IsDirectory ? Errno.EISDIR : Errno.EINVAL;
        }

        public virtual Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            return IsDirectory ? Errno.EISDIR : Errno.EINVAL;
        }

        public virtual Errno Truncate(ulong size) => IsDirectory ? Errno.EISDIR : Errno.EINVAL;

        // Asked by open after the permission checks: a device in exclusive use says EBUSY.
        public virtual Errno Open(OpenFlags flags) => Errno.None;

        // Open-file references: an unlinked ramfs file keeps its pages until the last close.
        public virtual void Opened() { }
        public virtual void Closed() { }
    }

    // What a file system needs to know of the running task (the kernel implements it).
    public abstract class TaskContext
    {
        // The memory container of the running task (null: none, the root); the page cache
        // charges a file to whoever brings it into memory first.
        public abstract MemoryContainer CurrentContainer { get; }
    }
}
