// The mark phase. A word "marks" the heap object whose slot contains it (interior pointers and
// pointers at the header word included); marking sets the object's mark bit and, if its
// MethodTable says it has pointers, pushes it on the mark stack. Trace pops and scans objects
// (through their GCDesc) until the stack is empty: no recursion, the kernel stack stays small.
// Mark stack: MarkStackPages metadata pages of object references (512 per page), given at Init.
// Overflow: an object that does not fit stays marked but unscanned; its address widens the
// overflow range [s_ovLo, s_ovHi]. Trace then rescans every marked object in that range in
// address order (page-map order), draining the stack after each; an object dropped during a
// rescan above the current position only extends the current pass, one below it goes to the
// next pass. Each pass marks something new or ends the overflow, so Trace terminates.
// Invariant between collections: stack empty, no overflow, every mark bit clear.
namespace Internal.Runtime.Gc
{
    internal static unsafe class Marker
    {
        public const nuint EntriesPerPage = PageSource.PageSize / 8;

        private static byte** s_stack;
        private static nuint s_capacity, s_top;
        private static bool s_overflow;
        private static nuint s_ovLo, s_ovHi;
        private static bool s_inPass;
        private static nuint s_passPos, s_passEnd;
        private static nuint s_overflows, s_passes;

        public static nuint Capacity => s_capacity;
        public static nuint Overflows => s_overflows;
        public static nuint RescanPasses => s_passes;

        public static bool Init(nuint pages)
        {
            if (pages == 0) pages = 1;
            s_stack = (byte**)PageSource.AllocMeta(pages);
            s_capacity = s_stack == null ? 0 : pages * EntriesPerPage;
            return s_stack != null;
        }

        // Host tests shrink the stack to force overflows.
        public static void LimitCapacity(nuint entries)
        {
            if (entries != 0 && entries < s_capacity) s_capacity = entries;
        }

        public static void Begin()
        {
            s_top = 0;
            s_overflow = false;
            s_ovLo = ~(nuint)0;
            s_ovHi = 0;
            s_inPass = false;
            s_overflows = 0;
            s_passes = 0;
        }

        public static void MarkAddress(nuint address)
        {
            PageDesc* d = PageMap.Lookup(address);
            if (d == null) return;
            byte* block;
            if (d->Kind == PageDesc.KindSmall)
            {
                uint idx = SmallObjects.SlotIndex(d, address - (nuint)d->Base);
                if (idx >= d->Capacity) return;
                ulong bit = 1UL << (int)(idx & 63);
                if (((&d->Alloc0)[idx >> 6] & bit) == 0) return;
                ulong* mark = &d->Mark0 + (idx >> 6);
                if ((*mark & bit) != 0) return;
                *mark |= bit;
                block = d->Base + (nuint)idx * d->SlotSize;
            }
            else
            {
                if (address - (nuint)d->Base >= d->SlotSize) return;
                if (d->Mark0 != 0) return;
                d->Mark0 = 1;
                block = d->Base;
            }
            byte* obj = block + 8;
            byte* mt = *(byte**)obj;
            if (mt == null || !ObjectLayout.HasPointers(mt)) return;
            Push(obj);
        }

        private static void Push(byte* obj)
        {
            if (s_top < s_capacity)
            {
                s_stack[s_top++] = obj;
                return;
            }
            s_overflows++;
            if (s_inPass && (nuint)obj > s_passPos)
            {
                if ((nuint)obj > s_passEnd) s_passEnd = (nuint)obj;
                return;
            }
            s_overflow = true;
            if ((nuint)obj < s_ovLo) s_ovLo = (nuint)obj;
            if ((nuint)obj > s_ovHi) s_ovHi = (nuint)obj;
        }

        // Scans obj's reference fields as roots (obj may be anywhere, e.g. a frozen object).
        public static void Scan(byte* obj)
        {
            byte* mt = *(byte**)obj;
            if (mt == null || !ObjectLayout.HasPointers(mt)) return;
            ObjectLayout.VisitReferences(obj, mt, ObjectLayout.Size(obj, mt), ObjectLayout.ModeMark);
        }

        private static void Drain()
        {
            while (s_top != 0) Scan(s_stack[--s_top]);
        }

        public static void Trace()
        {
            Drain();
            while (s_overflow)
            {
                s_overflow = false;
                nuint lo = s_ovLo, hi = s_ovHi;
                s_ovLo = ~(nuint)0;
                s_ovHi = 0;
                Rescan(lo, hi);
            }
        }

        private static void Rescan(nuint lo, nuint hi)
        {
            s_passes++;
            s_inPass = true;
            s_passPos = 0;
            s_passEnd = hi;
            ulong pn = PageMap.Linear(lo);
            PageDesc* d;
            while ((d = PageMap.Next(ref pn)) != null && PageMap.Address(pn) <= s_passEnd)
            {
                if (d->Kind == PageDesc.KindLarge)
                {
                    pn = PageMap.Linear((nuint)d->Base) + d->Pages;
                    if (d->Mark0 == 0) continue;
                    s_passPos = (nuint)d->Base + 8;
                    Scan(d->Base + 8);
                    Drain();
                    continue;
                }
                pn++;
                ulong* mark = &d->Mark0;
                for (int w = 0; w < 4; w++)
                {
                    int from = 0;
                    while (from < 64)
                    {
                        // Re-read: draining may mark later slots of this very page.
                        ulong bits = mark[w] & (~0UL << from);
                        if (bits == 0) break;
                        int b = Bits.TrailingZeros(bits);
                        from = b + 1;
                        byte* obj = d->Base + (nuint)(w * 64 + b) * d->SlotSize + 8;
                        s_passPos = (nuint)obj;
                        Scan(obj);
                        Drain();
                    }
                }
            }
            s_inPass = false;
        }
    }
}
