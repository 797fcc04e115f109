// The physical page allocator: a binary buddy system over the FrameDatabase (Linux's
// page_alloc.c, one zone, one CPU's worth of page cache).
//
// Layout: a free block of order n is 2^n frames starting at a pfn aligned to 2^n, n = 0..MaxOrder.
// FreeArea[n] (_areas[n], a FrameList threaded through the head records) lists the heads of the
// free blocks of order n. On top sits an order-0 cache (_cache, a stack of at most CacheHigh
// pfns, like Linux's per-cpu pageset): order-0 allocations pop it and order-0 frees push it; it
// is refilled from and drained to the buddy lists CacheBatch frames at a time.
//
// Invariants:
//  - every frame of a free block, and every cached frame, has Free; a free block's head also has
//    Head and Order = n, and is on FreeArea[n]; cached frames have no Head and are on no list.
//  - _freeFrames = sum over n of _areas[n].Count << n, plus the cached frames.
//  - no two free blocks of order n < MaxOrder are buddies (pfn ^ 2^n): freeing coalesces at once.
//    So once the cache is drained the free lists depend only on which frames are free.
//  - frames never given by AddFreeRange stay Reserved and are never handed out.
//  - an allocation without AllocFlags.Kernel never leaves fewer than _reserve frames free.
// Not internally locked: the kernel calls it under one lock with interrupts off. Never allocates.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed unsafe partial class BuddyAllocator
    {
        public const int MaxOrder = 10;
        public const int OrderCount = MaxOrder + 1;
        public const int CacheHigh = 64;
        public const int CacheBatch = 16;
        // What freed memory is filled with once EnablePoison was called (Linux's POISON_FREE).
        public const ulong PoisonPattern = 0x6b6b6b6b6b6b6b6bUL;

        // A freed frame with one of these set is a kernel bug.
        private const PageFlags BadOnFree =
            PageFlags.Free | PageFlags.Reserved | PageFlags.Active | PageFlags.Inactive |
            PageFlags.Locked | PageFlags.Writeback;

        private readonly FrameDatabase _frames;
        private readonly Page* _pages;
        private readonly uint _count;
        private readonly PanicHandler _panic;
        private readonly FrameList[] _areas;
        private readonly uint[] _cache;
        private int _cacheCount;
        private uint _freeFrames;
        private uint _managedFrames;
        private uint _reserve;
        private byte* _poisonWindow;

        // All frames start Reserved (as FrameDatabase leaves them); AddFreeRange gives RAM.
        public BuddyAllocator(FrameDatabase frames, PanicHandler panic, uint reserveFrames)
        {
            _frames = frames;
            _pages = frames.Pages;
            _count = frames.Count;
            _panic = panic;
            _reserve = reserveFrames;
            _areas = new FrameList[OrderCount];
            _cache = new uint[CacheHigh];
            for (int n = 0; n < OrderCount; n++) _areas[n] = FrameList.Empty;
        }

        public FrameDatabase Frames => _frames;
        public uint FreeFrames => _freeFrames;          // in free blocks and in the cache
        public uint ManagedFrames => _managedFrames;    // given by AddFreeRange
        public uint CachedFrames => (uint)_cacheCount;
        public uint ReserveFrames => _reserve;

        public void SetReserve(uint frames) => _reserve = frames;

        // Free blocks of one order (FreeArea[order].nr_free); 0 for an order out of range.
        public uint FreeBlocks(int order) => (uint)order <= MaxOrder ? _areas[order].Count : 0;

        // Head of FreeArea[order] (follow Page.LruNext from there), or NoFrame.
        public uint FirstFree(int order) => (uint)order <= MaxOrder ? _areas[order].Head : Page.NoFrame;

        // From now on freed memory is filled with PoisonPattern. directMap: where frame pfn's bytes
        // are, at directMap + pfn * Paging.Size (the kernel's direct map; the host's test block).
        public void EnablePoison(byte* directMap) => _poisonWindow = directMap;

        // Gives usable RAM [pfnStart, pfnStart + pfnCount) to the allocator. Every frame must be in
        // the database and still Reserved (an overlap with an earlier range is a bug: panic).
        public void AddFreeRange(uint pfnStart, uint pfnCount)
        {
            ulong end = (ulong)pfnStart + pfnCount;
            if (end > _count)
            {
                Bug("AddFreeRange past the frame database: pfn " + pfnStart.ToString() + " + " + pfnCount.ToString());
                return;
            }
            for (uint pfn = pfnStart; pfn < end; pfn++)
            {
                if ((_pages[pfn].Flags & PageFlags.Reserved) == 0)
                {
                    Bug("AddFreeRange: pfn " + pfn.ToString() + " was already added");
                    return;
                }
            }
            uint at = pfnStart;
            while (at < end)
            {
                int order = MaxOrder;
                while (order > 0 && ((at & ((1u << order) - 1)) != 0 || at + (1UL << order) > end)) order--;
                uint size = 1u << order;
                for (uint i = 0; i < size; i++) ResetFree(_pages + at + i);
                _managedFrames += size;
                _freeFrames += size;
                FreeBlock(at, order);
                at += size;
            }
        }

        // Allocates 2^order frames aligned to 2^order. Fails (false, pfn = NoFrame) when out of
        // memory, when order is out of range, and, without AllocFlags.Kernel, when fewer than the
        // reserve would remain. The block's frames come back with no flags; the head has RefCount 1.
        public bool TryAlloc(int order, AllocFlags flags, out uint pfn)
        {
            pfn = Page.NoFrame;
            if ((uint)order > MaxOrder) return false;
            uint size = 1u << order;
            if (_freeFrames < size) return false;
            if ((flags & AllocFlags.Kernel) == 0 && _freeFrames - size < _reserve) return false;

            if (order == 0)
            {
                if (_cacheCount == 0) Refill();
                uint got = _cache[--_cacheCount];
                Page* p = _pages + got;
                p->Flags = PageFlags.None;
                p->RefCount = 1;
                _freeFrames--;
                pfn = got;
                return true;
            }

            uint head;
            if (!TryTakeBlock(order, out head))
            {
                // Cached frames may be what keeps a block of this order from coalescing.
                if (_cacheCount == 0) return false;
                DrainCache();
                if (!TryTakeBlock(order, out head)) return false;
            }
            for (uint i = 0; i < size; i++) _pages[head + i].Flags = PageFlags.None;
            _pages[head].RefCount = 1;
            _freeFrames -= size;
            pfn = head;
            return true;
        }

        // Returns a block TryAlloc handed out (same pfn and order). Freeing a frame that is free,
        // Reserved, mapped, on an LRU list, locked or under writeback is a bug: panic.
        public void Free(uint pfn, int order)
        {
            if ((uint)order > MaxOrder)
            {
                Bug("free of pfn " + pfn.ToString() + " with bad order " + order.ToString());
                return;
            }
            uint size = 1u << order;
            if (pfn >= _count || size > _count - pfn)
            {
                Bug("free of pfn " + pfn.ToString() + " order " + order.ToString() + " past the frame database");
                return;
            }
            if ((pfn & (size - 1)) != 0)
            {
                Bug("free of pfn " + pfn.ToString() + " not aligned to order " + order.ToString());
                return;
            }
            for (uint i = 0; i < size; i++)
            {
                Page* p = _pages + pfn + i;
                if ((p->Flags & BadOnFree) != 0 || p->MapCount != 0)
                {
                    BadFree(pfn + i, p, order);
                    return;
                }
            }
            if (_poisonWindow != null) Poison(pfn, size);
            for (uint i = 0; i < size; i++) ResetFree(_pages + pfn + i);
            _freeFrames += size;
            if (order == 0)
            {
                if (_cacheCount == CacheHigh) Drain(CacheBatch);
                _cache[_cacheCount++] = pfn;
                return;
            }
            FreeBlock(pfn, order);
        }

        // Returns every cached order-0 frame to the buddy lists (where it may coalesce).
        public void DrainCache() => Drain(_cacheCount);

        private void Drain(int frames)
        {
            for (int i = 0; i < frames; i++) FreeBlock(_cache[--_cacheCount], 0);
        }

        // Moves up to CacheBatch order-0 frames from the buddy lists to the cache. The caller has
        // checked _freeFrames > 0, so with the cache empty at least one frame is on a list.
        private void Refill()
        {
            uint pfn;
            for (int i = 0; i < CacheBatch && TryTakeBlock(0, out pfn); i++) _cache[_cacheCount++] = pfn;
        }

        // Takes a free block of exactly this order off the lists, splitting a larger one if needed
        // (the halves not taken go back on the lower lists). Its frames keep Free; none has Head.
        private bool TryTakeBlock(int order, out uint pfn)
        {
            int n = order;
            while (n <= MaxOrder && _areas[n].IsEmpty) n++;
            if (n > MaxOrder)
            {
                pfn = Page.NoFrame;
                return false;
            }
            pfn = _areas[n].Head;
            Unlink(pfn, n);
            Page* head = _pages + pfn;
            head->Flags &= ~PageFlags.Head;
            head->Order = 0;
            while (n > order)
            {
                n--;
                Push(pfn + (1u << n), n);
            }
            return true;
        }

        // Puts a block whose frames are all Free on the lists, merging it with its buddy for as
        // long as the buddy is a free block of the same order.
        private void FreeBlock(uint pfn, int order)
        {
            while (order < MaxOrder)
            {
                uint buddy = pfn ^ (1u << order);
                if (buddy >= _count) break;
                Page* b = _pages + buddy;
                if ((b->Flags & (PageFlags.Free | PageFlags.Head)) != (PageFlags.Free | PageFlags.Head) || b->Order != order) break;
                Unlink(buddy, order);
                b->Flags &= ~PageFlags.Head;
                b->Order = 0;
                pfn &= ~(1u << order);
                order++;
            }
            Push(pfn, order);
        }

        private void Push(uint pfn, int order)
        {
            Page* p = _pages + pfn;
            p->Flags |= PageFlags.Head;
            p->Order = (byte)order;
            _areas[order].PushHead(_pages, pfn);
        }

        private void Unlink(uint pfn, int order) => _areas[order].Unlink(_pages, pfn);

        private static void ResetFree(Page* p) => Page.Reset(p, PageFlags.Free);

        private void Poison(uint pfn, uint size)
        {
            ulong* q = (ulong*)(_poisonWindow + ((ulong)pfn << Paging.Shift));
            ulong words = (ulong)size * (Paging.Size / 8);
            for (ulong i = 0; i < words; i++) q[i] = PoisonPattern;
        }

        private void BadFree(uint pfn, Page* p, int order)
        {
            string what;
            if ((p->Flags & PageFlags.Free) != 0) what = "double free";
            else if ((p->Flags & PageFlags.Reserved) != 0) what = "free of a reserved frame";
            else if (p->MapCount != 0) what = "free of a mapped frame";
            else if ((p->Flags & (PageFlags.Active | PageFlags.Inactive)) != 0) what = "free of a frame on an LRU list";
            else what = "free of a locked or writeback frame";
            Bug(what + ": pfn " + pfn.ToString() + " (block order " + order.ToString() + ")");
        }

        private void Bug(string message) => _panic.Panic("mm: " + message);
    }
}
