// ramfs: files, directories and symbolic links that live only in memory (Linux's ramfs). A
// directory keeps its entries in creation order in a Vector (a rename appends the new name); a regular file keeps its data only in the
// page-cache pages of its own Kernel.Mm.PageCache, so every byte is in frames the allocator
// counts and the memory containers charge (to whoever brought the file in first). Holes read as
// zeros and take no frame.
//
// Invariants: a file's Size is its PageCache's Size; no page at or past the end holds non-zero
// bytes past Size (truncation zeroes the tail of the last page); a file's pages are released when
// it has no name left and no open file, or when the file system is unmounted (which is refused
// with EBUSY while any of its files is open: OpenFiles counts them).
// Not locked: the kernel calls this with interrupts off.
using Kernel.Abi;
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Vfs
{
    public sealed class RamFs : FileSystem
    {
        internal readonly MmContext Vm;
        internal readonly TaskContext Tasks;
        private readonly FsHost _clock;
        private readonly RamDirectory _root;

        // clock: where inode times come from (null: every time is 0).
        public RamFs(MmContext vm, TaskContext tasks, FsHost clock = null)
        {
            Vm = vm;
            Tasks = tasks;
            _clock = clock;
            _root = new RamDirectory(this);
        }

        internal uint Now => _clock == null ? 0 : _clock.Now;

        public override string Type => "ramfs";
        public override Inode Root => _root;

        // Open files of this file system (a mapping holds its file open).
        internal int OpenFiles;

        public override Errno CanUnmount() => OpenFiles > 0 ? Errno.EBUSY : Errno.None;

        // ramfs keeps its files only for the mount: they go, and with them every page.
        public override void Unmounted() => _root.ReleaseAll();
    }

    // Modification and change times of a ramfs inode (set at creation, and when its data or its
    // entries change).
    internal abstract class RamInode : Inode
    {
        protected readonly RamFs RamFsOwner;
        private uint _mtime, _ctime;

        protected RamInode(RamFs fs, InodeKind kind, ushort mode) : base(fs, kind, mode)
        {
            RamFsOwner = fs;
            _mtime = _ctime = fs.Now;
        }

        public override long MTime => _mtime;
        public override long CTime => _ctime;

        internal void Touch()
        {
            _mtime = _ctime = RamFsOwner.Now;
        }
    }

    internal sealed class RamDirectory : RamInode
    {
        private struct Entry
        {
            public string Name;
            public Inode Child;
        }

        private readonly RamFs _fs;
        private readonly Vector<Entry> _entries = new Vector<Entry>(4);
        private int _subdirectories;

        public RamDirectory(RamFs fs) : base(fs, InodeKind.Directory, ModeDirectory) { _fs = fs; }

        public override int Links => 2 + _subdirectories;
        public override int EntryCount => _entries.Count;

        public override bool EntryAt(int index, out string name, out Inode child)
        {
            name = null;
            child = null;
            if (index < 0 || index >= _entries.Count) return false;
            name = _entries[index].Name;
            child = _entries[index].Child;
            return true;
        }

        public override Errno Lookup(string name, out Inode child)
        {
            int i = IndexOf(name);
            child = i < 0 ? null : _entries[i].Child;
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
            Inode dir = _entries[i].Child;
            if (!dir.IsDirectory) return Errno.ENOTDIR;
            if (dir.EntryCount != 0) return Errno.ENOTEMPTY;
            _entries.RemoveAt(i);
            _subdirectories--;
            Touch();
            return Errno.None;
        }

        public override Errno Unlink(string name)
        {
            int i = IndexOf(name);
            if (i < 0) return Errno.ENOENT;
            if (_entries[i].Child.IsDirectory) return Errno.EISDIR;
            Inode child = _entries[i].Child;
            _entries.RemoveAt(i);
            Touch();
            if (child is RamFile file) file.Unlinked();
            return Errno.None;
        }

        public override Errno Symlink(string name, string target, out Inode child)
        {
            child = null;
            if (IndexOf(name) >= 0) return Errno.EEXIST;
            child = new RamSymlink(_fs, target);
            Add(name, child);
            return Errno.None;
        }

        public override Errno Rename(string name, Inode newDir, string newName)
        {
            RamDirectory to = newDir as RamDirectory;
            if (to == null || to._fs != _fs) return Errno.EXDEV;
            int i = IndexOf(name);
            if (i < 0) return Errno.ENOENT;
            Inode child = _entries[i].Child;
            int j = to.IndexOf(newName);
            if (j >= 0)
            {
                Inode old = to._entries[j].Child;
                if (old == child) return Errno.None;
                if (child.IsDirectory && !old.IsDirectory) return Errno.ENOTDIR;
                if (!child.IsDirectory && old.IsDirectory) return Errno.EISDIR;
                if (old.IsDirectory && old.EntryCount != 0) return Errno.ENOTEMPTY;
                Entry e;
                e.Name = newName;
                e.Child = child;
                to._entries[j] = e;
                if (old.IsDirectory) to._subdirectories--;
                else if (old is RamFile file) file.Unlinked();
            }
            else to.Add(newName, child);
            _entries.RemoveAt(i);   // still at i: the new name replaced another entry or was appended
            Touch();
            to.Touch();
            if (child.IsDirectory)
            {
                _subdirectories--;
                to._subdirectories++;
            }
            return Errno.None;
        }

        // Unmount: every file below gives back its pages; the tree is emptied.
        internal void ReleaseAll()
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                Inode child = _entries[i].Child;
                if (child is RamDirectory d) d.ReleaseAll();
                else if (child is RamFile f) f.Unlinked();
            }
            _entries.Clear();
            _subdirectories = 0;
        }

        private int IndexOf(string name)
        {
            for (int i = 0; i < _entries.Count; i++) if (_entries[i].Name == name) return i;
            return -1;
        }

        private void Add(string name, Inode child)
        {
            Entry e;
            e.Name = name;
            e.Child = child;
            _entries.Add(e);
            Touch();
        }
    }

    internal sealed class RamSymlink : RamInode
    {
        private readonly string _target;

        public RamSymlink(RamFs fs, string target) : base(fs, InodeKind.Symlink, 0x1FF) { _target = target; }

        public override ulong Size => (ulong)_target.Length;

        public override Errno ReadLink(out string target)
        {
            target = _target;
            return Errno.None;
        }
    }

    internal sealed unsafe class RamFile : RamInode
    {
        public const ulong MaxBytes = PageCache.MaxPages * Paging.Size;

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
                int inPage = (int)(at & Paging.OffsetMask);
                int n = (int)Paging.Size - inPage;
                if (n > count - read) n = count - read;
                uint pfn = _cache.Find(at >> Paging.Shift);
                if (pfn == Page.NoFrame)
                    for (int i = 0; i < n; i++) buffer[start + read + i] = 0;
                else
                {
                    _cache.MarkAccessed(pfn);
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
                int inPage = (int)(at & Paging.OffsetMask);
                int n = (int)Paging.Size - inPage;
                if (n > count - written) n = count - written;
                if (_cache.GetOrCreate(at >> Paging.Shift, bringer, out uint pfn) != Errno.None)
                {
                    e = Errno.ENOSPC;   // ramfs has no other store: out of memory is out of space
                    break;
                }
                _cache.MarkAccessed(pfn);
                byte* dst = _cache.Address(pfn) + inPage;
                for (int i = 0; i < n; i++) dst[i] = buffer[start + written + i];
                written += n;
            }
            if (written > 0 && offset + (ulong)written > _cache.Size) _cache.Size = offset + (ulong)written;
            if (written > 0) Touch();
            // A short write is a success; nothing written at all is the error.
            return written > 0 ? Errno.None : e;
        }

        public override Errno Truncate(ulong size)
        {
            if (size > MaxBytes) return Errno.EFBIG;
            if (size < _cache.Size)
            {
                _cache.Truncate(Paging.PagesFor(size));
                int tail = (int)(size & Paging.OffsetMask);
                uint pfn = tail == 0 ? Page.NoFrame : _cache.Find(size >> Paging.Shift);
                if (pfn != Page.NoFrame)
                {
                    byte* p = _cache.Address(pfn);
                    for (int i = tail; i < (int)Paging.Size; i++) p[i] = 0;
                }
            }
            _cache.Size = size;
            Touch();
            return Errno.None;
        }

        public override void Opened()
        {
            _opens++;
            _fs.OpenFiles++;
        }

        public override void Closed()
        {
            if (_opens > 0)
            {
                _opens--;
                _fs.OpenFiles--;
            }
            if (_unlinked && _opens == 0) _cache.Release();
        }

        internal void Unlinked()
        {
            _unlinked = true;
            if (_opens == 0) _cache.Release();
        }
    }
}
