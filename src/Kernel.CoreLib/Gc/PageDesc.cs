// Page descriptors: one per small-object page, one per large-object run, kept outside the pages
// (so a 2048-byte class still fits two objects in a page). 128 bytes each, carved from metadata
// pages that are never returned; free descriptors are chained through Next.
//   small: Base = the page, Capacity slots of SlotSize bytes, FreeList = first free slot (free
//          slots link through their first word), Alloc/Mark = 256-bit bitmaps by slot index.
//          Alloc is the object-start map: a set bit means the slot holds an object.
//   large: Base = first page of a Pages-long run holding one object of SlotSize bytes; bit 0 of
//          Alloc0/Mark0. Every page of the run maps to the same descriptor (continuation pages).
// Invariants: Used == popcount(Alloc); a mark bit is only ever set on an allocated slot and
// every mark bit is clear outside a collection; a small page is on its class's Partial list
// (OnList = 1) exactly when it has a free slot — except a page that just came back empty, which
// is released instead.
#pragma warning disable CS0649 // bitmap words 1-3 are reached through &Alloc0 / &Mark0
namespace Internal.Runtime.Gc
{
    internal unsafe struct PageDesc
    {
        public const byte KindSmall = 1;
        public const byte KindLarge = 2;

        public byte* Base;
        public PageDesc* Next;
        public PageDesc* Prev;
        public byte* FreeList;
        public nuint Pages;
        public nuint SlotSize;
        public uint Magic;
        public ushort Capacity;
        public ushort Used;
        public byte Kind;
        public byte Class;
        public byte OnList;
        public byte Poisoned;     // small: every free slot holds the debug poison
        public ulong Alloc0, Alloc1, Alloc2, Alloc3;
        public ulong Mark0, Mark1, Mark2, Mark3;
    }

    internal static unsafe class DescPool
    {
        private static PageDesc* s_free;

        public static void Init() => s_free = null;

        public static PageDesc* Alloc()
        {
            if (s_free == null)
            {
                byte* page = PageSource.AllocMeta(1);
                if (page == null) return null;
                int n = (int)PageSource.PageSize / sizeof(PageDesc);
                for (int i = n - 1; i >= 0; i--)
                {
                    PageDesc* d = (PageDesc*)page + i;
                    d->Next = s_free;
                    s_free = d;
                }
            }
            PageDesc* r = s_free;
            s_free = r->Next;
            Bits.Zero((byte*)r, (nuint)sizeof(PageDesc));
            return r;
        }

        public static void Free(PageDesc* d)
        {
            d->Kind = 0;
            d->Next = s_free;
            s_free = d;
        }
    }
}
