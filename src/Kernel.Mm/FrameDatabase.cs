// The frame database: the array of Page records for physical frames 0 .. Count-1 (Linux's
// mem_map). The memory holding it is the caller's (the kernel carves it out of RAM through the
// direct map; the host tests allocate it), Count * Page.Size bytes, 8-byte aligned.
//
// Invariants: frame pfn's record is _pages[pfn]; pfn 0 is physical address 0. After Initialize
// every record is Reserved with no owner and both links NoFrame, until the buddy allocator is
// given the frame by AddFreeRange.
using Kernel.Abi;

namespace Kernel.Mm
{
    public sealed unsafe class FrameDatabase
    {

        private readonly Page* _pages;
        private readonly uint _count;

        // pages: Count records of caller memory (BytesFor(count) bytes); their contents are reset.
        public FrameDatabase(Page* pages, uint count)
        {
            _pages = pages;
            _count = count == Page.NoFrame ? count - 1 : count;
            for (uint i = 0; i < _count; i++) Page.Reset(pages + i, PageFlags.Reserved);
        }

        // Bytes of memory the records for count frames take.
        public static ulong BytesFor(uint count) => (ulong)count * (ulong)sizeof(Page);

        public uint Count => _count;
        public Page* Pages => _pages;

        public bool Contains(uint pfn) => pfn < _count;

        // The record of frame pfn; null when pfn is out of range.
        public Page* Get(uint pfn) => pfn < _count ? _pages + pfn : null;

        // The frame number of a record in this database (the caller guarantees it is one).
        public uint Pfn(Page* page) => (uint)(page - _pages);

        public static ulong PhysicalAddress(uint pfn) => (ulong)pfn << Paging.Shift;
        public static uint PfnOf(ulong physicalAddress) => (uint)(physicalAddress >> Paging.Shift);
    }
}
