// Large objects (> SizeClasses.MaxSmall bytes): each gets its own run of ceil(size / 4096)
// zeroed pages straight from the page source and one descriptor that every page of the run maps
// to, so an interior pointer anywhere in the run finds the object. The object is [Base, Base +
// SlotSize); bit 0 of Alloc0/Mark0 plays the allocation and mark bits. Sweep frees the whole run.
namespace Internal.Runtime.Gc
{
    internal static unsafe class LargeObjects
    {
        public const ulong MaxBytes = 1UL << 40;

        public static byte* Allocate(nuint size)
        {
            if ((ulong)size > MaxBytes) return null;
            nuint bytes = (size + 7) & ~(nuint)7;
            nuint pages = (bytes + PageSource.PageSize - 1) >> PageSource.PageShift;
            PageDesc* d = DescPool.Alloc();
            if (d == null) return null;
            byte* run = PageSource.AllocRun(pages);
            if (run == null)
            {
                DescPool.Free(d);
                return null;
            }
            d->Base = run;
            d->Pages = pages;
            d->SlotSize = bytes;
            d->Capacity = 1;
            d->Used = 1;
            d->Kind = PageDesc.KindLarge;
            d->Alloc0 = 1;
            for (nuint i = 0; i < pages; i++)
            {
                if (PageMap.Set((nuint)run + (i << PageSource.PageShift), d)) continue;
                for (nuint j = 0; j < i; j++) PageMap.Clear((nuint)run + (j << PageSource.PageShift));
                PageSource.FreeRun(run, pages);
                DescPool.Free(d);
                return null;
            }
            return run;
        }

        public static void Free(PageDesc* d)
        {
            byte* run = d->Base;
            nuint pages = d->Pages;
            for (nuint i = 0; i < pages; i++) PageMap.Clear((nuint)run + (i << PageSource.PageShift));
            DescPool.Free(d);
            PageSource.FreeRun(run, pages);
        }
    }
}
