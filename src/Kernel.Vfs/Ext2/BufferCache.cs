// The buffer cache of one mounted disk (Linux's buffer heads over the block device's page cache):
// the metadata blocks of a file system — superblock, group descriptors, bitmaps, inode tables,
// indirect blocks, directories, long symbolic links — in page frames the kernel owns. File data
// never comes here (it is page cache on each file).
//
// Layout: a BufferPage holds the 4 KiB of the device at Index × 4096, i.e. 4096 / blockSize blocks,
// with a bit per block in Valid (the bytes are the disk's or newer), Dirty (newer than the disk)
// and Writing (on its way to the disk). Pages are found through a hash of Index and kept on an
// LRU list (most recently used last). A miss on a page reads the whole page (the inode table and
// bitmaps of a 1 KiB-block file system come four blocks at a time); a missing block of a present
// page is read alone. Only dirty blocks are ever written, so the other blocks of a shared page
// (another file's data, on a 1 KiB-block file system) are never overwritten.
//
// Users pin what they hold (Get/GetNew … Put) and may sleep meanwhile. A page being read is
// Reading, and others wait for it on the MmContext's PageWait. A freed block is forgotten (its
// dirty bit cleared: its old contents must not reach a disk block that may now be file data); a
// block newly allocated as metadata is taken with GetNew (zeroed, never read).
//
// Frames come from the buddy allocator as user allocations (never the reserve), flagged Kernel,
// counted in the BufferPool (meminfo's Buffers). Above the pool's limit, a new page first evicts
// the least recently used clean, unpinned, idle page. drop_caches 2 drops every such page.
// Invariants (Verify checks them): every page is in the hash and on the LRU exactly once; the pool
// counts every frame of every cache; a page with Reading has no Dirty or Writing bits; Writing
// bits are a subset of the bits that were dirty when the write began.
// Called with the interrupt lock held (it sleeps only for its I/O).
using Kernel.Abi;
using Kernel.Block;
using Kernel.Collections;
using Kernel.Mm;

namespace Kernel.Vfs
{
    // Every buffer cache of the kernel: their pages (meminfo's Buffers) and the soft limit.
    public sealed class BufferPool
    {
        internal readonly Vector<Ext2.BufferCache> Caches = new Vector<Ext2.BufferCache>(4);

        public BufferPool(ulong limitPages) { LimitPages = limitPages; }

        public ulong Pages { get; internal set; }
        public ulong LimitPages { get; set; }

        // drop_caches 2: every clean, unused buffer page; returns how many went.
        public ulong DropClean()
        {
            ulong n = 0;
            for (int i = 0; i < Caches.Count; i++) n += Caches[i].DropClean();
            return n;
        }

        // The first broken invariant, or null.
        public string Verify()
        {
            ulong total = 0;
            for (int i = 0; i < Caches.Count; i++)
            {
                string problem = Caches[i].Verify();
                if (problem != null) return problem;
                total += Caches[i].PageCount;
            }
            if (total != Pages) return string.Concat("buffers: the pool counts ", Pages.ToString(), " pages, the caches hold ", total.ToString());
            return null;
        }
    }
}

namespace Kernel.Vfs.Ext2
{
    internal sealed class BufferPage
    {
        public ulong Index;
        public uint Pfn;
        public byte Valid, Dirty, Writing;
        public bool Reading;
        public int Pins;
        public ulong DirtiedMs;
        public BufferPage HashNext, Prev, Next;
    }

    // A pinned block: Data points at its bytes in the page frame.
    internal unsafe struct Buf
    {
        public BufferPage Page;
        public byte* Data;
        public uint Block;
    }

    internal sealed unsafe class BufferCache
    {
        private const int PageSize = 4096;
        private const int Buckets = 1024;

        private readonly BlockDevice _device;
        private readonly MmContext _vm;
        private readonly BufferPool _pool;
        private readonly FsHost _host;
        private readonly int _blockSize, _perPageShift;
        private readonly BufferPage[] _hash = new BufferPage[Buckets];
        private BufferPage _lruHead, _lruTail;
        private ulong _count;
        private readonly Vector<IoBatch> _batches = new Vector<IoBatch>(2);

        public BufferCache(BlockDevice device, MmContext vm, BufferPool pool, FsHost host, int blockSize)
        {
            _device = device;
            _vm = vm;
            _pool = pool;
            _host = host;
            _blockSize = blockSize;
            _perPageShift = blockSize == 1024 ? 2 : blockSize == 2048 ? 1 : 0;
            pool.Caches.Add(this);
        }

        public ulong PageCount => _count;
        public BlockDevice Device => _device;

        // An I/O batch for this device (one per task at a time; give it back).
        public IoBatch TakeBatch()
        {
            if (_batches.Count == 0) return new IoBatch(_device);
            IoBatch b = _batches[_batches.Count - 1];
            _batches.RemoveAt(_batches.Count - 1);
            return b;
        }

        public void ReturnBatch(IoBatch b) => _batches.Add(b);

        public ulong PhysOf(uint pfn)
        {
            _device.Context.TryPhysical(_vm.FrameAddress(pfn), out ulong phys);
            return phys;
        }

        // Block `block`, read from the disk if needed, pinned. EIO when the read failed, ENOMEM.
        public Errno Get(uint block, out Buf b)
        {
            b = default;
            ulong index = (ulong)block >> _perPageShift;
            int slot = (int)(block & ((1u << _perPageShift) - 1));
            byte bit = (byte)(1 << slot);
            while (true)
            {
                BufferPage p = Find(index);
                if (p == null)
                {
                    Errno e = NewPage(index, out p);
                    if (e != Errno.None) return e;
                    p.Reading = true;
                    p.Pins++;
                    e = ReadRange(p, 0, PageBytes(index));
                    p.Reading = false;
                    _vm.PageWait.WakeAll();
                    if (e != Errno.None)
                    {
                        p.Pins--;
                        Remove(p);
                        return Errno.EIO;
                    }
                    p.Valid = (byte)((1 << (1 << _perPageShift)) - 1);
                    b = Make(p, block, slot);
                    return Errno.None;
                }
                if (p.Reading)
                {
                    _vm.PageWait.Wait();
                    continue;
                }
                p.Pins++;
                Touch(p);
                if ((p.Valid & bit) == 0)
                {
                    p.Reading = true;
                    Errno e = ReadRange(p, slot * _blockSize, _blockSize);
                    p.Reading = false;
                    _vm.PageWait.WakeAll();
                    if (e != Errno.None)
                    {
                        p.Pins--;
                        return Errno.EIO;
                    }
                    p.Valid |= bit;
                }
                b = Make(p, block, slot);
                return Errno.None;
            }
        }

        // Block `block`, just allocated as metadata: zeroed, valid, pinned; never read.
        public Errno GetNew(uint block, out Buf b)
        {
            b = default;
            ulong index = (ulong)block >> _perPageShift;
            int slot = (int)(block & ((1u << _perPageShift) - 1));
            BufferPage p;
            while (true)
            {
                p = Find(index);
                if (p == null)
                {
                    Errno e = NewPage(index, out p);
                    if (e != Errno.None) return e;
                    break;
                }
                if (!p.Reading) break;
                _vm.PageWait.Wait();
            }
            p.Pins++;
            Touch(p);
            p.Valid |= (byte)(1 << slot);
            b = Make(p, block, slot);
            for (int i = 0; i < _blockSize; i += 8) *(ulong*)(b.Data + i) = 0;
            return Errno.None;
        }

        public void Put(ref Buf b)
        {
            if (b.Page == null) return;
            b.Page.Pins--;
            b = default;
        }

        public void MarkDirty(Buf b)
        {
            BufferPage p = b.Page;
            if (p.Dirty == 0) p.DirtiedMs = _host.UptimeMs;
            p.Dirty |= (byte)(1 << (int)(b.Block & ((1u << _perPageShift) - 1)));
        }

        // The block was freed: whatever it held need never reach the disk.
        public void Forget(uint block)
        {
            BufferPage p = Find((ulong)block >> _perPageShift);
            if (p != null) p.Dirty &= (byte)~(1 << (int)(block & ((1u << _perPageShift) - 1)));
        }

        // Whether a page dirtied at or before `dirtiedBy` (ms of uptime) waits to be written.
        public bool HasDirty(ulong dirtiedBy = ulong.MaxValue)
        {
            for (BufferPage p = _lruHead; p != null; p = p.Next) if (p.Dirty != 0 && p.DirtiedMs <= dirtiedBy) return true;
            return false;
        }

        // Writes every dirty block of pages dirtied at or before `dirtiedBy` (ms of uptime;
        // ulong.MaxValue: all), in disk order, contiguous blocks in one request. The first error;
        // blocks that failed are dirty again.
        public Errno Sync(ulong dirtiedBy)
        {
            int n = 0;
            for (BufferPage p = _lruHead; p != null; p = p.Next) if (p.Dirty != 0 && p.Writing == 0 && p.DirtiedMs <= dirtiedBy) n++;
            if (n == 0) return Errno.None;
            BufferPage[] pages = new BufferPage[n];
            n = 0;
            for (BufferPage p = _lruHead; p != null && n < pages.Length; p = p.Next)
                if (p.Dirty != 0 && p.Writing == 0 && p.DirtiedMs <= dirtiedBy) pages[n++] = p;
            SortByIndex(pages, n);
            IoBatch batch = TakeBatch();
            int perPage = 1 << _perPageShift;
            for (int i = 0; i < n; i++)
            {
                BufferPage p = pages[i];
                p.Pins++;
                p.Writing = p.Dirty;
                p.Dirty = 0;
                ulong phys = PhysOf(p.Pfn);
                int slot = 0;
                while (slot < perPage)
                {
                    if ((p.Writing & (1 << slot)) == 0) { slot++; continue; }
                    int end = slot;
                    while (end < perPage && (p.Writing & (1 << end)) != 0) end++;
                    ulong offset = p.Index * PageSize + (ulong)(slot * _blockSize);
                    batch.Add(BlockOp.Write, offset >> BlockDevice.SectorShift, phys + (ulong)(slot * _blockSize), (uint)((end - slot) * _blockSize));
                    slot = end;
                }
            }
            Errno e = batch.Finish();
            ReturnBatch(batch);
            for (int i = 0; i < n; i++)
            {
                BufferPage p = pages[i];
                if (e != Errno.None)
                {
                    if (p.Dirty == 0) p.DirtiedMs = _host.UptimeMs;
                    p.Dirty |= p.Writing;
                }
                p.Writing = 0;
                p.Pins--;
            }
            return e;
        }

        // Every clean, unpinned, idle page goes; returns how many.
        public ulong DropClean()
        {
            ulong n = 0;
            BufferPage p = _lruHead;
            while (p != null)
            {
                BufferPage next = p.Next;
                if (Idle(p))
                {
                    Remove(p);
                    n++;
                }
                p = next;
            }
            return n;
        }

        // Unmount, after Sync: every page goes (dirty ones only after a failed write: lost, as
        // Linux loses them when the disk fails). The cache leaves the pool.
        public void ReleaseAll()
        {
            while (_lruHead != null) Remove(_lruHead);
            for (int i = 0; i < _pool.Caches.Count; i++)
                if (_pool.Caches[i] == this) { _pool.Caches.RemoveAt(i); break; }
        }

        public string Verify()
        {
            ulong onList = 0;
            BufferPage prev = null;
            for (BufferPage p = _lruHead; p != null; p = p.Next)
            {
                if (p.Prev != prev) return "buffers: LRU links broken";
                if (Find(p.Index) != p) return string.Concat("buffers: page ", p.Index.ToString(), " is on the LRU but not hashed");
                if (p.Reading && (p.Dirty | p.Writing) != 0) return "buffers: a page being read is dirty";
                if (p.Pins < 0) return "buffers: negative pin count";
                if ((_vm.Pages[p.Pfn].Flags & PageFlags.Free) != 0) return string.Concat("buffers: pfn ", p.Pfn.ToString(), " is free");
                prev = p;
                onList++;
            }
            if (prev != _lruTail) return "buffers: LRU tail wrong";
            ulong hashed = 0;
            for (int i = 0; i < Buckets; i++) for (BufferPage p = _hash[i]; p != null; p = p.HashNext) hashed++;
            if (hashed != onList || onList != _count)
                return string.Concat("buffers: ", _count.ToString(), " pages counted, ", onList.ToString(), " on the LRU, ", hashed.ToString(), " hashed");
            return null;
        }

        private static bool Idle(BufferPage p) => p.Pins == 0 && !p.Reading && p.Dirty == 0 && p.Writing == 0;

        private Buf Make(BufferPage p, uint block, int slot)
        {
            Buf b;
            b.Page = p;
            b.Block = block;
            b.Data = _vm.FrameAddress(p.Pfn) + slot * _blockSize;
            return b;
        }

        // The bytes of the device in page index (the last page of an odd-sized device is short).
        private int PageBytes(ulong index)
        {
            ulong start = index * PageSize;
            ulong size = _device.Bytes;
            if (start >= size) return 0;
            ulong n = size - start;
            return n >= PageSize ? PageSize : (int)(n & ~(ulong)(BlockDevice.SectorSize - 1));
        }

        private Errno ReadRange(BufferPage p, int offset, int bytes)
        {
            if (bytes <= 0) return Errno.EIO;
            IoBatch batch = TakeBatch();
            ulong at = p.Index * PageSize + (ulong)offset;
            batch.Add(BlockOp.Read, at >> BlockDevice.SectorShift, PhysOf(p.Pfn) + (ulong)offset, (uint)bytes);
            Errno e = batch.Finish();
            ReturnBatch(batch);
            return e;
        }

        private BufferPage Find(ulong index)
        {
            for (BufferPage p = _hash[index & (Buckets - 1)]; p != null; p = p.HashNext) if (p.Index == index) return p;
            return null;
        }

        // A new page for index, hashed and on the LRU, nothing valid; above the limit a clean
        // page is evicted first. ENOMEM when no frame can be had.
        private Errno NewPage(ulong index, out BufferPage page)
        {
            page = null;
            if (_pool.Pages >= _pool.LimitPages) EvictOne();
            if (!_vm.Buddy.TryAlloc(0, AllocFlags.User, out uint pfn))
            {
                if (!EvictOne() || !_vm.Buddy.TryAlloc(0, AllocFlags.User, out pfn)) return Errno.ENOMEM;
            }
            Page* rec = _vm.Pages + pfn;
            rec->Flags = PageFlags.Kernel;
            page = new BufferPage { Index = index, Pfn = pfn };
            ulong bucket = index & (Buckets - 1);
            page.HashNext = _hash[bucket];
            _hash[bucket] = page;
            page.Prev = _lruTail;
            if (_lruTail != null) _lruTail.Next = page; else _lruHead = page;
            _lruTail = page;
            _count++;
            _pool.Pages++;
            return Errno.None;
        }

        private bool EvictOne()
        {
            for (BufferPage p = _lruHead; p != null; p = p.Next)
                if (Idle(p))
                {
                    Remove(p);
                    return true;
                }
            return false;
        }

        private void Touch(BufferPage p)
        {
            if (p == _lruTail) return;
            Unlink(p);
            p.Prev = _lruTail;
            p.Next = null;
            if (_lruTail != null) _lruTail.Next = p; else _lruHead = p;
            _lruTail = p;
        }

        private void Unlink(BufferPage p)
        {
            if (p.Prev != null) p.Prev.Next = p.Next; else _lruHead = p.Next;
            if (p.Next != null) p.Next.Prev = p.Prev; else _lruTail = p.Prev;
            p.Prev = null;
            p.Next = null;
        }

        private void Remove(BufferPage p)
        {
            Unlink(p);
            ulong bucket = p.Index & (Buckets - 1);
            if (_hash[bucket] == p) _hash[bucket] = p.HashNext;
            else
                for (BufferPage q = _hash[bucket]; q != null; q = q.HashNext)
                    if (q.HashNext == p) { q.HashNext = p.HashNext; break; }
            p.HashNext = null;
            _vm.Pages[p.Pfn].Flags = PageFlags.None;
            _vm.Buddy.Free(p.Pfn, 0);
            _count--;
            _pool.Pages--;
        }

        private static void SortByIndex(BufferPage[] a, int n)
        {
            // Shell sort (gaps shrinking by 4/9, ending at 1): no recursion, no allocation.
            int gap = 1;
            while (gap < n / 3) gap = gap * 9 / 4 + 1;
            for (; gap >= 1; gap = gap == 1 ? 0 : (gap * 4 / 9 < 1 ? 1 : gap * 4 / 9))
                for (int i = gap; i < n; i++)
                {
                    BufferPage x = a[i];
                    int j = i;
                    while (j >= gap && a[j - gap].Index > x.Index) { a[j] = a[j - gap]; j -= gap; }
                    a[j] = x;
                }
        }
    }
}
