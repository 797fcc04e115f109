// Small-object allocation (<= SizeClasses.MaxSmall bytes): pop the first free slot of the first
// page on the class's Partial list; a class with no such page gets a new page (cached or from the
// page source) whose free list is built in address order. A page that becomes full leaves the
// list; the sweeper puts pages with free slots back and releases empty ones.
// Slots are zeroed for the requested size when handed out (free slots hold a list link and,
// in debug mode, 0xDD poison). Called with interrupts disabled: no locking.
namespace Internal.Runtime.Gc
{
    internal static unsafe class SmallObjects
    {
        public static byte* Allocate(nuint size)
        {
            ClassInfo* ci = SizeClasses.For(size);
            PageDesc* d = ci->Partial;
            if (d == null)
            {
                d = NewPage(ci);
                if (d == null) return null;
            }
            byte* p = d->FreeList;
            d->FreeList = *(byte**)p;
            uint idx = SlotIndex(d, (nuint)(p - d->Base));
            (&d->Alloc0)[idx >> 6] |= 1UL << (int)(idx & 63);
            d->Used++;
            if (d->FreeList == null) Unlink(ci, d);
            Bits.Zero(p, (size + 7) & ~(nuint)7);
            return p;
        }

        public static uint SlotIndex(PageDesc* d, nuint offset) => (uint)(((ulong)offset * d->Magic) >> 32);

        private static PageDesc* NewPage(ClassInfo* ci)
        {
            byte* page = PageSource.AllocSmallPage();
            if (page == null) return null;
            PageDesc* d = DescPool.Alloc();
            if (d == null)
            {
                PageSource.ReleaseSmallPage(page);
                return null;
            }
            d->Base = page;
            d->Pages = 1;
            d->SlotSize = ci->Size;
            d->Magic = ci->Magic;
            d->Capacity = (ushort)ci->Capacity;
            d->Kind = PageDesc.KindSmall;
            d->Class = (byte)ci->Index;
            if (!PageMap.Set((nuint)page, d))
            {
                DescPool.Free(d);
                PageSource.ReleaseSmallPage(page);
                return null;
            }
            if (GcHeap.DebugPoison)
            {
                Bits.Fill(page, PageSource.PageSize, GcHeap.PoisonPattern);
                d->Poisoned = 1;
            }
            RebuildFreeList(d);
            Link(ci, d);
            return d;
        }

        // Chains every clear-bit slot, lowest address first.
        public static void RebuildFreeList(PageDesc* d)
        {
            ulong* alloc = &d->Alloc0;
            byte* head = null;
            for (int i = d->Capacity - 1; i >= 0; i--)
            {
                if ((alloc[i >> 6] & (1UL << (i & 63))) != 0) continue;
                byte* slot = d->Base + (nuint)i * d->SlotSize;
                *(byte**)slot = head;
                head = slot;
            }
            d->FreeList = head;
        }

        public static void Link(ClassInfo* ci, PageDesc* d)
        {
            d->Prev = null;
            d->Next = ci->Partial;
            if (ci->Partial != null) ci->Partial->Prev = d;
            ci->Partial = d;
            d->OnList = 1;
        }

        public static void Unlink(ClassInfo* ci, PageDesc* d)
        {
            if (d->Prev != null) d->Prev->Next = d->Next;
            else ci->Partial = d->Next;
            if (d->Next != null) d->Next->Prev = d->Prev;
            d->Next = d->Prev = null;
            d->OnList = 0;
        }

        // Gives an empty page back (to the cache or the page source).
        public static void Release(PageDesc* d)
        {
            if (d->OnList != 0) Unlink(SizeClasses.Get(d->Class), d);
            byte* page = d->Base;
            PageMap.Clear((nuint)page);
            DescPool.Free(d);
            PageSource.ReleaseSmallPage(page);
        }
    }
}
