// Files and directories as the VFS sees them (Linux's struct inode with its inode_operations and
// file_operations folded into virtual methods), and the file systems that own them.
//
// A file system overrides what it supports; the defaults answer as Linux does when an operation
// is missing: on a regular file every directory operation is ENOTDIR, on a directory every file
// operation is EISDIR; a directory without create gives EACCES (vfs_create), without
// mkdir/rmdir/unlink EPERM. Names reaching the directory operations were checked by the VFS:
// non-empty, no '/', not "." or "..", at most 255 characters.
//
// Mode holds the permission bits (0755 = 0x1ED ...). The VFS checks them at open: reading needs
// owner read (0x100), writing owner write (0x80), else EACCES — even for root, as sysfs and
// configfs attributes behave.
// Not locked: the kernel calls the VFS and every file system with interrupts off.
using Kernel.Abi;
using Kernel.Mm;

namespace Kernel.Vfs
{
    public enum InodeKind : byte { Directory, Regular, BlockDevice, CharDevice, Fifo }   // Fifo: a pipe's end (Pipe.cs)

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

        // Entries without "." and "..", in the directory's own order.
        public virtual int EntryCount => 0;

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
