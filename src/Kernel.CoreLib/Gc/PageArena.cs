// A page source over one contiguous region, for when the collector must run before the kernel's
// page allocator exists (the buddy allocator is itself a heap object). Layout: the region's first
// pages hold a bitmap, one bit per page of the rest (1 = handed out); the rest, page-aligned,
// are the pages. Single pages are found first-fit from a rover, runs first-fit from the start.
// AllocPages returns zeroed pages. AllocPages/FreePages have the signatures GcHeap.Init takes.
// Errors counts frees of pages that were not handed out (ignored). Interrupts off: no locking.
namespace Internal.Runtime.Gc
{
    public static unsafe class PageArena
    {
        private static ulong* s_bitmap;
        private static byte* s_pages;
        private static nuint s_count, s_used, s_rover, s_errors;

        public static nuint TotalPages => s_count;
        public static nuint UsedPages => s_used;
        public static nuint FreePageCount => s_count - s_used;
        public static nuint Errors => s_errors;
        public static void* Start => s_pages;
        public static void* End => s_pages + (s_count << PageSource.PageShift);

        public static bool Init(void* start, nuint bytes)
        {
            nuint lo = ((nuint)start + PageSource.PageSize - 1) & ~(PageSource.PageSize - 1);
            nuint hi = ((nuint)start + bytes) & ~(PageSource.PageSize - 1);
            if (hi <= lo) return false;
            nuint total = (hi - lo) >> PageSource.PageShift;
            // bitmap pages b must satisfy b * 32768 >= total - b
            nuint bitmapPages = (total + 32768) / 32769;
            if (total <= bitmapPages) return false;
            s_bitmap = (ulong*)lo;
            s_pages = (byte*)lo + (bitmapPages << PageSource.PageShift);
            s_count = total - bitmapPages;
            s_used = s_rover = s_errors = 0;
            Bits.Zero((byte*)s_bitmap, bitmapPages << PageSource.PageShift);
            return true;
        }

        private static bool IsUsed(nuint i) => (s_bitmap[i >> 6] & (1UL << (int)(i & 63))) != 0;

        // First index >= from of `count` free pages, or s_count.
        private static nuint FindRun(nuint from, nuint count)
        {
            nuint run = 0;
            nuint i = from;
            while (i < s_count)
            {
                if ((i & 63) == 0 && s_bitmap[i >> 6] == ~0UL)
                {
                    run = 0;
                    i += 64;
                    continue;
                }
                if (IsUsed(i)) run = 0;
                else if (++run == count) return i + 1 - count;
                i++;
            }
            return s_count;
        }

        public static void* AllocPages(nuint count)
        {
            if (count == 0 || count > s_count - s_used) return null;
            nuint at = count == 1 ? FindRun(s_rover, 1) : s_count;
            if (at == s_count) at = FindRun(0, count);
            if (at == s_count) return null;
            for (nuint i = at; i < at + count; i++) s_bitmap[i >> 6] |= 1UL << (int)(i & 63);
            s_used += count;
            if (count == 1) s_rover = at + 1;
            byte* p = s_pages + (at << PageSource.PageShift);
            Bits.Zero(p, count << PageSource.PageShift);
            return p;
        }

        public static void FreePages(void* p, nuint count)
        {
            nuint off = (nuint)((byte*)p - s_pages);
            if ((byte*)p < s_pages || (off & (PageSource.PageSize - 1)) != 0 || (off >> PageSource.PageShift) + count > s_count)
            {
                s_errors++;
                return;
            }
            nuint at = off >> PageSource.PageShift;
            for (nuint i = at; i < at + count; i++)
            {
                if (!IsUsed(i))
                {
                    s_errors++;
                    continue;
                }
                s_bitmap[i >> 6] &= ~(1UL << (int)(i & 63));
                s_used--;
            }
            if (at < s_rover) s_rover = at;
        }

        public static bool Contains(void* p) => (byte*)p >= s_pages && (byte*)p < s_pages + (s_count << PageSource.PageShift);
    }
}
