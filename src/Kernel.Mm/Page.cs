// The page frame record: one Page per physical 4 KiB frame (Linux's struct page), kept in the
// FrameDatabase and indexed by physical frame number (pfn).
//
// Layout (sequential, 40 bytes, no managed references):
//   0 OwnerIndex  8   virtual page number (anon) or file page index (page cache)
//   8 Flags       4   PageFlags
//  12 RefCount    4   references; the buddy allocator hands out a block with 1 on its head frame
//  16 MapCount    4   page-table mappings of the frame
//  20 OwnerId     4   address-space id (anon) or address_space id (file); 0 = none
//  24 LruNext     4   pfn of the next frame on an LRU list, or on a buddy free list
//  28 LruPrev     4   pfn of the previous frame, likewise; NoFrame ends either list
//  32 Private     4   for the frame's owner: the swap slot of a page in the swap cache
//  36 ContainerId 2   memory container charged for the frame; 0 = none
//  38 Order       1   buddy order; meaningful on a free block's head (Free|Head)
//  39 (padding)
//
// Invariants: a free frame is never on an LRU list, so the buddy free lists reuse LruNext/LruPrev
// (as Linux threads free_area lists through page->lru). Every frame of a free block has Free;
// only the block's first frame has Head, and only it has a meaningful Order and links. Frames
// the memory map did not give to the allocator are Reserved, forever.
using System;
using System.Runtime.InteropServices;

namespace Kernel.Mm
{
    [Flags]
    public enum PageFlags : uint
    {
        None = 0,
        Free = 1 << 0,        // owned by the page allocator (in a free block or its order-0 cache)
        Reserved = 1 << 1,    // not RAM the allocator manages (firmware, holes, kernel image)
        Kernel = 1 << 2,      // kernel allocation (page tables, heap, stacks)
        Anon = 1 << 3,        // anonymous user memory; OwnerId = address space, OwnerIndex = vpn
        File = 1 << 4,        // page cache; OwnerId = address_space, OwnerIndex = file page index
        Active = 1 << 5,      // on the active LRU list
        Inactive = 1 << 6,    // on the inactive LRU list
        Referenced = 1 << 7,  // accessed since the reclaimer last looked
        Dirty = 1 << 8,       // must be written back before the frame is reused
        Locked = 1 << 9,      // under I/O or otherwise pinned by its owner
        Head = 1 << 10,       // first frame of a free buddy block (Order is valid)
        Writeback = 1 << 11,  // write-back I/O in flight
        Unevictable = 1 << 12, // never reclaimed (mlock, ramfs)
        SwapCache = 1 << 13,  // anonymous page in the swap cache: Private = its swap slot
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Page
    {
        // sizeof(Page); the host tests check the two agree.
        public const int Size = 40;
        // The end of an LRU or free list (frame numbers are uint; this one never names a frame).
        public const uint NoFrame = uint.MaxValue;

        public ulong OwnerIndex;
        public PageFlags Flags;
        public int RefCount;
        public int MapCount;
        public uint OwnerId;
        public uint LruNext;
        public uint LruPrev;
        public uint Private;
        public ushort ContainerId;
        public byte Order;
        private byte _pad;

        // A record with only `flags` set: no owner, no counts, on no list.
        public static unsafe void Reset(Page* p, PageFlags flags)
        {
            p->OwnerIndex = 0;
            p->Flags = flags;
            p->RefCount = 0;
            p->MapCount = 0;
            p->OwnerId = 0;
            p->LruNext = NoFrame;
            p->LruPrev = NoFrame;
            p->Private = 0;
            p->ContainerId = 0;
            p->Order = 0;
        }
    }
}
