// ext2 file data (Linux's generic_file_read/write over ext2's address_space operations): a
// regular file's bytes live in its PageCache, charged as every page-cache page is; the Backing
// maps pages to disk blocks.
//
// Read: page by page from the cache; a miss reads the page and up to a window of the following
// absent pages in one batch (readahead: 16 pages, 128 while the reads are sequential), holes and
// bytes past the end read as zeros. Write: a page is brought in (read when it is partly written
// and inside the file, zeroed otherwise), the blocks the bytes land in allocated (the rest of the
// page stays as it was: blocks, or holes that read as zeros), the bytes copied and the page marked
// dirty; ENOSPC when the blocks are not there (checked before
// anything is allocated: a short write ends at the last block that could be had). Writeback: dirty
// pages in index order, contiguous disk blocks in one request, 256 pages a batch; a hole inside a
// dirty page (the file was extended by truncate) stays a hole. Truncate: pages past the end go
// (after their I/O is over), the tail of the last block is zeroed through its page, the blocks go.
// Symbolic links: the target from i_block (fast) or from its block (through the buffer cache).
// Access times are not updated (as with noatime).
using Kernel.Abi;
using Kernel.Block;
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Vfs.Ext2
{
    internal sealed class Ext2Backing : PageCacheBacking
    {
        private readonly Ext2Inode _file;
        public Ext2Backing(Ext2Inode file) { _file = file; }
        public override Errno ReadPage(PageCache cache, ulong index, uint pfn) => _file.ReadPages(index, pfn);
        public override Errno WritePage(PageCache cache, ulong index, uint pfn) => _file.WritePages(index, pfn);
    }

    internal sealed unsafe partial class Ext2Inode
    {
        private const int ReadaheadMin = 16, ReadaheadMax = 128;
        private const int WritebackBatch = 256;
        private ulong _readaheadNext = ulong.MaxValue;

        private ulong MaxBytes => PageCache.MaxPages * Paging.Size;
        private uint BlocksPerPage => (uint)(Paging.Size >> X.BlockShift);

        // Fills page `index` (Locked, zeroed, frame pfn) and reads ahead. Called by the page cache,
        // with or without the file system's lock (page faults come without).
        internal Errno ReadPages(ulong index, uint pfn)
        {
            X.Host.EnterUnkillable();
            Errno e = ReadPagesUnkillable(index, pfn);
            X.Host.LeaveUnkillable();
            return e;
        }

        private Errno ReadPagesUnkillable(ulong index, uint pfn)
        {
            PageCache cache = _cache;
            if (cache == null) return Errno.EIO;
            ulong pages = Paging.PagesFor(ISize);
            int window = index == _readaheadNext ? ReadaheadMax : ReadaheadMin;
            // On the stack: a page fault comes here, and the fault path does not use the heap.
            ulong* indices = stackalloc ulong[ReadaheadMax];
            uint* frames = stackalloc uint[ReadaheadMax];
            int n = 0;
            indices[n] = index;
            frames[n++] = pfn;
            MemoryContainer bringer = X.Tasks == null ? null : X.Tasks.CurrentContainer;
            for (ulong i = index + 1; i < pages && n < window; i++)
            {
                if (cache.BeginRead(i, bringer, out uint f) != Errno.None) break;
                indices[n] = i;
                frames[n++] = f;
            }
            IoBatch batch = X.Buffers.TakeBatch();
            Errno e = Errno.None;
            uint perPage = BlocksPerPage;
            for (int k = 0; k < n && e == Errno.None; k++)
            {
                ulong phys = X.Buffers.PhysOf(frames[k]);
                for (uint j = 0; j < perPage; j++)
                {
                    ulong fb = indices[k] * perPage + j;
                    if (fb << X.BlockShift >= ISize) break;
                    e = Map(fb, out uint disk);
                    if (e != Errno.None) break;
                    if (disk == 0) continue;
                    batch.Add(BlockOp.Read, (ulong)disk << (X.BlockShift - BlockDevice.SectorShift), phys + (j << X.BlockShift), X.BlockSize);
                }
            }
            Errno io = batch.Finish();
            X.Buffers.ReturnBatch(batch);
            if (e == Errno.None) e = io;
            // The bytes past the end of the file read as zeros, whatever the last block holds.
            ulong tail = ISize & Paging.OffsetMask;
            for (int k = 0; k < n; k++)
                if (e == Errno.None && tail != 0 && indices[k] == pages - 1)
                {
                    byte* p = cache.Address(frames[k]);
                    for (ulong b = tail; b < Paging.Size; b++) p[b] = 0;
                }
            _readaheadNext = indices[n - 1] + 1;
            for (int k = 1; k < n; k++) cache.EndRead(indices[k], frames[k], e);
            if (e != Errno.None && e != Errno.EUCLEAN)
                X.Host.Log(string.Concat("ext2: ", X.Name, ": inode ", Number.ToString(), string.Concat(": read error at page ", index.ToString(), ": ", ErrnoText.Message(e))));
            return e;
        }

        // Writes page `index` (under Writeback, frame pfn): its mapped blocks.
        internal Errno WritePages(ulong index, uint pfn)
        {
            IoBatch batch = X.Buffers.TakeBatch();
            Errno e = AddPageBlocks(batch, index, pfn);
            Errno io = batch.Finish();
            X.Buffers.ReturnBatch(batch);
            return e != Errno.None ? e : io;
        }

        private Errno AddPageBlocks(IoBatch batch, ulong index, uint pfn)
        {
            ulong phys = X.Buffers.PhysOf(pfn);
            uint perPage = BlocksPerPage;
            for (uint j = 0; j < perPage; j++)
            {
                ulong fb = index * perPage + j;
                if (fb << X.BlockShift >= ISize) break;
                Errno e = Map(fb, out uint disk);
                if (e != Errno.None) return e;
                if (disk == 0) continue;
                batch.Add(BlockOp.Write, (ulong)disk << (X.BlockShift - BlockDevice.SectorShift), phys + (j << X.BlockShift), X.BlockSize);
            }
            return Errno.None;
        }

        // Every dirty page to the disk (the lock held); the first error, those pages dirty again.
        internal Errno SyncPages()
        {
            PageCache cache = _cache;
            if (cache == null)
            {
                X.NotDirty(this);
                return Errno.None;
            }
            Errno first = Errno.None;
            ulong pages = Paging.PagesFor(cache.Size);
            ulong[] indices = new ulong[WritebackBatch];
            uint[] frames = new uint[WritebackBatch];
            IoBatch batch = X.Buffers.TakeBatch();
            int n = 0;
            Errno e = Errno.None;
            for (ulong i = 0; i < pages && cache.DirtyPages > 0; i++)
            {
                if (!cache.BeginWriteback(i, out uint pfn)) continue;
                indices[n] = i;
                frames[n++] = pfn;
                if (e == Errno.None) e = AddPageBlocks(batch, i, pfn);
                if (n == WritebackBatch) EndBatch(batch, indices, frames, ref n, ref e, ref first);
            }
            if (n > 0) EndBatch(batch, indices, frames, ref n, ref e, ref first);
            X.Buffers.ReturnBatch(batch);
            if (cache.DirtyPages == 0) X.NotDirty(this);
            if (first != Errno.None && first != Errno.EUCLEAN)
                X.Host.Log(string.Concat("ext2: ", X.Name, ": inode ", Number.ToString(), ": writeback failed: ", ErrnoText.Message(first)));
            return first;
        }

        private void EndBatch(IoBatch batch, ulong[] indices, uint[] frames, ref int n, ref Errno e, ref Errno first)
        {
            Errno io = batch.Finish();
            if (e == Errno.None) e = io;
            for (int k = 0; k < n; k++) _cache.EndWriteback(indices[k], frames[k], e);
            if (first == Errno.None) first = e;
            e = Errno.None;
            n = 0;
        }

        public override Errno Read(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (IsDirectory) return Errno.EISDIR;
            if (_cache == null) return Errno.EINVAL;
            X.Lock.Lock();
            Errno e = ReadLocked(offset, buffer, start, count, out read);
            X.Lock.Unlock();
            return e;
        }

        private Errno ReadLocked(ulong offset, byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            PageCache cache = _cache;
            if (cache == null) return Errno.EIO;
            ulong size = ISize;
            if (offset >= size || count <= 0) return Errno.None;
            if (offset >= MaxBytes) return Errno.EFBIG;
            if ((ulong)count > size - offset) count = (int)(size - offset);
            MemoryContainer bringer = X.Tasks == null ? null : X.Tasks.CurrentContainer;
            while (read < count)
            {
                ulong at = offset + (ulong)read;
                if (at >= MaxBytes) break;
                int inPage = (int)(at & Paging.OffsetMask);
                int n = (int)Paging.Size - inPage;
                if (n > count - read) n = count - read;
                uint pfn = cache.Find(at >> Paging.Shift);
                if (pfn == Page.NoFrame || (X.Vm.Pages[pfn].Flags & PageFlags.Locked) != 0)
                {
                    Errno e = cache.GetOrCreate(at >> Paging.Shift, bringer, PageFill.Read, out pfn);
                    if (e != Errno.None) return read > 0 ? Errno.None : e;
                }
                cache.MarkAccessed(pfn);
                Copy(cache.Address(pfn) + inPage, buffer, start + read, n, false);
                read += n;
            }
            return Errno.None;
        }

        public override Errno Write(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            if (IsDirectory) return Errno.EISDIR;
            if (_cache == null) return Errno.EINVAL;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = WriteLocked(offset, buffer, start, count, out written);
            X.Lock.Unlock();
            return e;
        }

        private Errno WriteLocked(ulong offset, byte[] buffer, int start, int count, out int written)
        {
            written = 0;
            PageCache cache = _cache;
            if (cache == null || ILinks == 0 && !IsOpen) return Errno.EIO;
            if (count <= 0) return Errno.None;
            if (offset >= MaxBytes) return Errno.EFBIG;
            if ((ulong)count > MaxBytes - offset) count = (int)(MaxBytes - offset);
            MemoryContainer bringer = X.Tasks == null ? null : X.Tasks.CurrentContainer;
            Errno e = Errno.None;
            bool allocated = false;
            while (written < count)
            {
                ulong at = offset + (ulong)written;
                ulong index = at >> Paging.Shift;
                int inPage = (int)(at & Paging.OffsetMask);
                int n = (int)Paging.Size - inPage;
                if (n > count - written) n = count - written;
                ulong pageStart = index << Paging.Shift;
                ulong end = at + (ulong)n;
                bool whole = inPage == 0 && n == (int)Paging.Size;
                PageFill fill = whole || pageStart >= ISize ? PageFill.Zero : PageFill.Read;
                e = cache.GetOrCreate(index, bringer, fill, out uint pfn);
                if (e != Errno.None) break;
                // The blocks the bytes land in (others of the page stay holes); a block that
                // cannot be had ends the write at its start.
                uint perPage = BlocksPerPage;
                ulong limit = end;
                for (uint j = 0; j < perPage; j++)
                {
                    ulong fb = index * perPage + j;
                    ulong blockStart = fb << X.BlockShift;
                    if (blockStart + X.BlockSize <= at) continue;
                    if (blockStart >= end) break;
                    e = Needed(fb, out uint need);
                    if (e == Errno.None && need > 0 && X.Super.FreeBlocks < need) e = Errno.ENOSPC;
                    if (e == Errno.None && need > 0)
                    {
                        e = Allocate(fb, out uint _, out bool _);
                        allocated = true;
                    }
                    if (e != Errno.None)
                    {
                        limit = blockStart > at ? blockStart : at;
                        break;
                    }
                }
                if (limit <= at) break;
                n = (int)(limit - at);
                Copy(cache.Address(pfn) + inPage, buffer, start + written, n, true);
                cache.MarkDirty(pfn);
                cache.MarkAccessed(pfn);
                X.Dirtied(this);
                written += n;
                if (at + (ulong)n > ISize)
                {
                    ISize = at + (ulong)n;
                    cache.Size = ISize;
                }
                if (e != Errno.None) break;
            }
            if (written > 0 || allocated)
            {
                Touch(written > 0);
                Store();
            }
            return written > 0 ? Errno.None : e;
        }

        // Between a page and a managed buffer; toPage says the direction.
        private static void Copy(byte* page, byte[] buffer, int at, int n, bool toPage)
        {
            fixed (byte* b = buffer)
            {
                byte* from = toPage ? b + at : page;
                byte* to = toPage ? page : b + at;
                int i = 0;
                for (; i + 8 <= n; i += 8) *(ulong*)(to + i) = *(ulong*)(from + i);
                for (; i < n; i++) to[i] = from[i];
            }
        }

        public override Errno Truncate(ulong size)
        {
            if (IsDirectory) return Errno.EISDIR;
            if (_cache == null) return Errno.EINVAL;
            if (size > MaxBytes) return Errno.EFBIG;
            if (X.ReadOnly) return Errno.EROFS;
            X.Lock.Lock();
            Errno e = TruncateLocked(size);
            X.Lock.Unlock();
            return e;
        }

        private Errno TruncateLocked(ulong size)
        {
            PageCache cache = _cache;
            if (cache == null) return Errno.EIO;
            if (size == ISize) return Errno.None;
            if (size > ISize)
            {
                ISize = size;
                cache.Size = size;
                Touch(true);
                return Store();
            }
            ulong oldPages = Paging.PagesFor(ISize);
            ulong keepPages = Paging.PagesFor(size);
            // The tail of the last block kept: zeroed through its page (written back with it), so
            // that a later extension reads zeros there.
            if ((size & (X.BlockSize - 1)) != 0)
            {
                MemoryContainer bringer = X.Tasks == null ? null : X.Tasks.CurrentContainer;
                Errno g = Map(size >> X.BlockShift, out uint disk);
                if (g == Errno.None && disk != 0)
                {
                    g = cache.GetOrCreate(size >> Paging.Shift, bringer, PageFill.Read, out uint pfn);
                    if (g == Errno.None)
                    {
                        byte* p = cache.Address(pfn);
                        for (ulong b = size & Paging.OffsetMask; b < Paging.Size; b++) p[b] = 0;
                        cache.MarkDirty(pfn);
                        X.Dirtied(this);
                    }
                }
            }
            ISize = size;
            cache.Size = size;
            WaitForPageIo(keepPages, oldPages);
            cache.Truncate(keepPages);
            // A page partly past the end keeps its bytes before it; after it they are zero.
            uint last = keepPages > 0 ? cache.Find(keepPages - 1) : Page.NoFrame;
            if (last != Page.NoFrame && (size & Paging.OffsetMask) != 0)
            {
                byte* p = cache.Address(last);
                for (ulong b = size & Paging.OffsetMask; b < Paging.Size; b++) p[b] = 0;
            }
            Errno e = FreeFrom((size + X.BlockSize - 1) >> X.BlockShift);
            Touch(true);
            Errno s = Store();
            if (cache.DirtyPages == 0) X.NotDirty(this);
            return e != Errno.None ? e : s;
        }

        public override Errno ReadLink(out string target)
        {
            target = null;
            if (Kind != InodeKind.Symlink) return Errno.EINVAL;
            X.Lock.Lock();
            Errno e = ReadLinkLocked(out target);
            X.Lock.Unlock();
            return e;
        }

        private Errno ReadLinkLocked(out string target)
        {
            target = null;
            if (ISize == 0 || ISize >= X.BlockSize)
                return X.Corrupt(string.Concat("symbolic link inode ", Number.ToString(), " has a bad size (", ISize.ToString(), ")"));
            int n = (int)ISize;
            char[] c = new char[n];
            if (IsFastSymlink)
            {
                if (n > Ext2Const.FastSymlinkMax + 1) return X.Corrupt(string.Concat("symbolic link inode ", Number.ToString(), " is too long for i_block"));
                for (int i = 0; i < n; i++) c[i] = (char)(byte)(IBlock[i >> 2] >> (8 * (i & 3)));
            }
            else
            {
                Errno e = Map(0, out uint disk);
                if (e != Errno.None) return e;
                if (disk == 0) return X.Corrupt(string.Concat("symbolic link inode ", Number.ToString(), " has no block"));
                e = X.Buffers.Get(disk, out Buf b);
                if (e != Errno.None) return e;
                for (int i = 0; i < n; i++) c[i] = (char)b.Data[i];
                X.Buffers.Put(ref b);
            }
            target = new string(c, 0, n);
            return Errno.None;
        }
    }
}
