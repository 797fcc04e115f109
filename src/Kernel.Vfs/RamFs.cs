// ramfs: files and directories that live only in memory (Linux's ramfs). A directory keeps its
// entries in creation order in two parallel arrays; a regular file keeps its data only in the
// page-cache pages of its own Kernel.Mm.PageCache, so every byte is in frames the allocator
// counts and the memory containers charge (to whoever brought the file in first). Holes read as
// zeros and take no frame.
//
// Invariants: a file's Size is its PageCache's Size; no page at or past the end holds non-zero
// bytes past Size (truncation zeroes the tail of the last page); a file's pages are released when
// it has no name left and no open file.
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;
using Kernel.Mm;

namespace Kernel.Vfs
{
    public sealed class RamFs : FileSystem
    {
        internal readonly MmContext Vm;
        internal readonly TaskContext Tasks;
        private readonly RamDirectory _root;

        public RamFs(MmContext vm, TaskContext tasks)
        {
            Vm = vm;
            Tasks = tasks;
            _root = new RamDirectory(this);
        }

        public override string Type => "ramfs";
        public override Inode Root => _root;
    }

    internal sealed class RamDirectory : Inode
    {
        private readonly RamFs _fs;
        private string[] _names = new string[4];
        private Inode[] _children = new Inode[4];
        private int _count;
        private int _subdirectories;

        public RamDirectory(RamFs fs) : base(fs, InodeKind.Directory, ModeDirectory) { _fs = fs; }

        public override int Links => 2 + _subdirectories;
        public override int EntryCount => _count;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index < 0 || index >= _count) return false;
            name = _names[index];
            child = _children[index];
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            int i = IndexOf(name);
            child = i < 0 ? null : _children[i];
            return i < 0 ? Errno.ENOENT : Errno.None;
        }

        public override Errno Create(string name, out Inode child)
        {
            child = null;
            if (IndexOf(name) >= 0) return Errno.EEXIST;
            child = new RamFile(_fs);
            Add(name, child);
            return Errno.None;
        }

        public override Errno Mkdir(string name, out Inode child)
        {
            child = null;
            if (IndexOf(name) >= 0) return Errno.EEXIST;
            child = new RamDirectory(_fs);
            Add(name, child);
            _subdirectories++;
            return Errno.None;
        }

        public override Errno Rmdir(string name)
        {
            int i = IndexOf(name);
            if (i < 0) return Errno.ENOENT;
            if (!_children[i].IsDirectory) return Errno.ENOTDIR;
            if (_children[i].EntryCount != 0) return Errno.ENOTEMPTY;
            RemoveAt(i);
            _subdirectories--;
            return Errno.None;
        }

        public override Errno Unlink(string name)
        {
            int i = IndexOf(name);
            if (i < 0) return Errno.ENOENT;
            if (_children[i].IsDirectory) return Errno.EISDIR;
            RamFile file = (RamFile)_children[i];
            RemoveAt(i);
            file.Unlinked();
            return Errno.None;
        }

        private int IndexOf(string name)
        {
            for (int i = 0; i < _count; i++) if (_names[i] == name) return i;
            return -1;
        }

        private void Add(string name, Inode child)
        {
            if (_count == _names.Length)
            {
                string[] names = new string[_count * 2];
                Inode[] children = new Inode[_count * 2];
                for (int i = 0; i < _count; i++) { names[i] = _names[i]; children[i] = _children[i]; }
                _names = names;
                _children = children;
            }
            _names[_count] = name;
            _children[_count] = child;
            _count++;
        }

        private void RemoveAt(int index)
        {
            for (int i = index; i < _count - 1; i++) { _names[i] = _names[i + 1]; _children[i] = _children[i + 1]; }
            _count--;
            _names[_count] = null;
            _children[_count] = null;
        }
    }

    internal sealed unsafe class RamFile : Inode
    {
        public const ulong MaxBytes = PageCache.MaxPages * 4096;

        private readonly RamFs _fs;
        private readonly PageCache _cache;
        private int _opens;
        private bool _unlinked;

        public RamFile(RamFs fs) : base(fs, InodeKind.Regular, ModeFile)
        {
            _fs = fs;
            _cache = PageCache.Create(fs.Vm);
        }

        public override ulong Size => _cache.Size;
        public override PageCache Mapping => _cache;

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            ulong size = _cache.Size;
            if (offset >= size || count <= 0) return Errno.None;
            if ((ulong)count > size - offset) count = (int)(size - offset);
            while (read < count)
            {
                ulong at = offset + (ulong)read;
                int inPage = (int)(at & 4095);
                int n = 4096 - inPage;
                if (n > count - read) n = count - read;
                uint pfn = _cache.Find(at >> 12);
                if (pfn == Page.NoFrame)
                    for (int i = 0; i < n; i++) buffer[start + read + i] = 0;
                else
                {
                    byte* src = _cache.Address(pfn) + inPage;
                    for (int i = 0; i < n; i++) buffer[start + read + i] = src[i];
                }
                read += n;
            }
            return Errno.None;
        }

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            if (count <= 0) return Errno.None;
            if (offset >= MaxBytes) return Errno.EFBIG;
            if ((ulong)count > MaxBytes - offset) count = (int)(MaxBytes - offset);
            MemoryContainer bringer = _fs.Tasks == null ? null : _fs.Tasks.CurrentContainer;
            Errno e = Errno.None;
            while (written < count)
            {
                ulong at = offset + (ulong)written;
                int inPage = (int)(at & 4095);
                int n = 4096 - inPage;
                if (n > count - written) n = count - written;
                if (!_cache.TryGetOrCreate(at >> 12, bringer, out uint pfn))
                {
                    e = Errno.ENOSPC;
                    break;
                }
                byte* dst = _cache.Address(pfn) + inPage;
                for (int i = 0; i < n; i++) dst[i] = buffer[start + written + i];
                written += n;
            }
            if (written > 0 && offset + (ulong)written > _cache.Size) _cache.Size = offset + (ulong)written;
            // A short write is a success; nothing written at all is the error.
            return written > 0 ? Errno.None : e;
        }

        public override Errno Truncate(ulong size)
        {
            if (size > MaxBytes) return Errno.EFBIG;
            if (size < _cache.Size)
            {
                _cache.Truncate((size + 4095) >> 12);
                int tail = (int)(size & 4095);
                uint pfn = tail == 0 ? Page.NoFrame : _cache.Find(size >> 12);
                if (pfn != Page.NoFrame)
                {
                    byte* p = _cache.Address(pfn);
                    for (int i = tail; i < 4096; i++) p[i] = 0;
                }
            }
            _cache.Size = size;
            return Errno.None;
        }

        public override void Opened() => _opens++;

        public override void Closed()
        {
            if (_opens > 0) _opens--;
            if (_unlinked && _opens == 0) _cache.Release();
        }

        internal void Unlinked()
        {
            _unlinked = true;
            if (_opens == 0) _cache.Release();
        }
    }
}
