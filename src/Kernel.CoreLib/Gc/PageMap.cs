// The page map: page address -> PageDesc*, for "is this word inside the heap, and in which page"
// in O(1) although heap pages come from anywhere in the 48-bit address space. A 4-level radix
// tree like the x86-64 page tables: bits 47-39, 38-30, 29-21 index interior nodes, bits 20-12
// the leaf; every node is one 4 KiB metadata page of 512 pointers, allocated on first use and
// never freed (a leaf covers 2 MiB). Keys are "linear page numbers" (address & 2^48-1) >> 12, so
// walking the tree in index order visits pages in ascending address order (the low half, then
// the high half, where the kernel lives). Non-canonical addresses are never in the heap.
// [s_lo, s_hi) bounds every page ever registered: a one-compare filter for conservative scans.
namespace Internal.Runtime.Gc
{
    internal static unsafe class PageMap
    {
        private const ulong LinearPages = 1UL << 36;
        private const ulong AddressMask = (1UL << 48) - 1;

        private static void** s_root;
        private static nuint s_lo, s_hi;

        public static bool Init()
        {
            s_root = (void**)PageSource.AllocMeta(1);
            s_lo = s_hi = 0;
            return s_root != null;
        }

        public static ulong Linear(nuint address) => ((ulong)address & AddressMask) >> PageSource.PageShift;

        public static nuint Address(ulong linear)
        {
            ulong a = linear << PageSource.PageShift;
            if ((a & (1UL << 47)) != 0) a |= ~AddressMask;
            return (nuint)a;
        }

        public static bool IsCanonical(nuint address)
        {
            long top = (long)address >> 47;
            return top == 0 || top == -1;
        }

        private static void** Child(void** node, ulong index)
        {
            void** c = (void**)node[index];
            if (c == null)
            {
                c = (void**)PageSource.AllocMeta(1);
                if (c == null) return null;
                node[index] = c;
            }
            return c;
        }

        // Maps the page at `page` (page-aligned, canonical) to d. False when a node is out of memory.
        public static bool Set(nuint page, PageDesc* d)
        {
            ulong pn = Linear(page);
            void** n2 = Child(s_root, pn >> 27);
            if (n2 == null) return false;
            void** n3 = Child(n2, (pn >> 18) & 511);
            if (n3 == null) return false;
            void** leaf = Child(n3, (pn >> 9) & 511);
            if (leaf == null) return false;
            leaf[pn & 511] = d;
            if (s_hi == 0)
            {
                s_lo = page;
                s_hi = page + PageSource.PageSize;
            }
            else
            {
                if (page < s_lo) s_lo = page;
                if (page + PageSource.PageSize > s_hi) s_hi = page + PageSource.PageSize;
            }
            return true;
        }

        public static void Clear(nuint page)
        {
            ulong pn = Linear(page);
            void** n2 = (void**)s_root[pn >> 27];
            if (n2 == null) return;
            void** n3 = (void**)n2[(pn >> 18) & 511];
            if (n3 == null) return;
            void** leaf = (void**)n3[(pn >> 9) & 511];
            if (leaf == null) return;
            leaf[pn & 511] = null;
        }

        // The descriptor of the page containing `address`, or null.
        public static PageDesc* Lookup(nuint address)
        {
            if (address - s_lo >= s_hi - s_lo) return null;
            if (!IsCanonical(address)) return null;
            ulong pn = Linear(address);
            void** n2 = (void**)s_root[pn >> 27];
            if (n2 == null) return null;
            void** n3 = (void**)n2[(pn >> 18) & 511];
            if (n3 == null) return null;
            void** leaf = (void**)n3[(pn >> 9) & 511];
            if (leaf == null) return null;
            return (PageDesc*)leaf[pn & 511];
        }

        // First mapped page whose linear number is >= linear; linear is set to it. Null at the end.
        public static PageDesc* Next(ref ulong linear)
        {
            if (s_hi == 0) return null;
            ulong pn = linear;
            ulong lo = Linear(s_lo), hi = Linear(s_hi - 1);
            if (pn < lo) pn = lo;
            while (pn <= hi)
            {
                void** n2 = (void**)s_root[pn >> 27];
                if (n2 == null) { pn = ((pn >> 27) + 1) << 27; continue; }
                void** n3 = (void**)n2[(pn >> 18) & 511];
                if (n3 == null) { pn = ((pn >> 18) + 1) << 18; continue; }
                void** leaf = (void**)n3[(pn >> 9) & 511];
                if (leaf == null) { pn = ((pn >> 9) + 1) << 9; continue; }
                PageDesc* d = (PageDesc*)leaf[pn & 511];
                if (d != null)
                {
                    linear = pn;
                    return d;
                }
                pn++;
            }
            linear = LinearPages;
            return null;
        }
    }
}
