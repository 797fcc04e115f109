// An open file (Linux's struct file): the inode, the path it was opened by, the access it was
// opened for and the offset the next read or write starts at. Close once; the inode learns it.
using Kernel.Abi;

namespace Kernel.Vfs
{
    [System.Flags]
    public enum OpenFlags
    {
        Read = 1,
        Write = 2,
        Create = 4,      // O_CREAT: make a missing file
        Truncate = 8,    // O_TRUNC: empty it on open (with Write)
        Append = 16,     // O_APPEND: every write goes to the end
    }

    public sealed class OpenFile
    {
        private readonly Inode _inode;
        private readonly string _path;
        private readonly OpenFlags _flags;
        private bool _closed;

        internal OpenFile(Inode inode, string path, OpenFlags flags)
        {
            _inode = inode;
            _path = path;
            _flags = flags;
        }

        public Inode Inode => _inode;
        public string Path => _path;
        public OpenFlags Flags => _flags;
        public ulong Offset { get; set; }

        public Errno Read(byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (_closed || (_flags & OpenFlags.Read) == 0) return Errno.EBADF;
            if (!Fits(buffer, start, count)) return Errno.EFAULT;
            Errno e = _inode.Read(Offset, buffer, start, count, out read);
            Offset += (ulong)read;
            return e;
        }

        public Errno Write(byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            if (_closed || (_flags & OpenFlags.Write) == 0) return Errno.EBADF;
            if (!Fits(buffer, start, count)) return Errno.EFAULT;
            if ((_flags & OpenFlags.Append) != 0) Offset = _inode.Size;
            Errno e = _inode.Write(Offset, buffer, start, count, out written);
            Offset += (ulong)written;
            return e;
        }

        public void Close()
        {
            if (_closed) return;
            _closed = true;
            _inode.Closed();
        }

        private static bool Fits(byte[] buffer, int start, int count) =>
            buffer != null && start >= 0 && count >= 0 && count <= buffer.Length - start;
    }
}
