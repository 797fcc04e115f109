// The sweep phase: walks every heap page in address order (through the page map). Small pages:
// dead = allocated & ~marked; Alloc becomes Mark, Mark is cleared, dead slots are poisoned in
// debug mode (0xDD in every byte, then the free-list link in the first word, so the MethodTable
// word of a dangling reference reads 0xDDDDDDDDDDDDDDDD — non-canonical, it faults), the free list
// is rebuilt in address order, a page with free slots goes (back) on its class's list and an empty
// page is released. Large objects: unmarked -> the run goes back to the page source.
// Bytes are counted by slot (the size class, or the whole page run of a large object).
namespace Internal.Runtime.Gc
{
    internal static unsafe class Sweeper
    {
        public static nuint LiveBytes, FreedBytes, LiveObjects, FreedObjects;

        public static void Sweep(bool poison)
        {
            LiveBytes = FreedBytes = LiveObjects = FreedObjects = 0;
            ulong pn = 0;
            PageDesc* d;
            while ((d = PageMap.Next(ref pn)) != null)
            {
                if (d->Kind == PageDesc.KindLarge)
                {
                    pn = PageMap.Linear((nuint)d->Base) + d->Pages;
                    nuint bytes = d->Pages << PageSource.PageShift;
                    if (d->Mark0 != 0)
                    {
                        d->Mark0 = 0;
                        LiveBytes += bytes;
                        LiveObjects++;
                    }
                    else
                    {
                        FreedBytes += bytes;
                        FreedObjects++;
                        LargeObjects.Free(d);
                    }
                    continue;
                }
                pn++;
                SweepSmall(d, poison);
            }
        }

        private static void SweepSmall(PageDesc* d, bool poison)
        {
            ulong* alloc = &d->Alloc0;
            ulong* mark = &d->Mark0;
            int used = 0, dead = 0;
            for (int w = 0; w < 4; w++)
            {
                ulong gone = alloc[w] & ~mark[w];
                if (gone != 0)
                {
                    dead += Bits.PopCount(gone);
                    if (poison)
                    {
                        for (ulong g = gone; g != 0; g &= g - 1)
                        {
                            int idx = w * 64 + Bits.TrailingZeros(g);
                            Bits.Fill(d->Base + (nuint)idx * d->SlotSize, d->SlotSize, GcHeap.PoisonPattern);
                        }
                    }
                }
                alloc[w] &= mark[w];
                mark[w] = 0;
                used += Bits.PopCount(alloc[w]);
            }
            LiveBytes += (nuint)used * d->SlotSize;
            LiveObjects += (nuint)used;
            FreedBytes += (nuint)dead * d->SlotSize;
            FreedObjects += (nuint)dead;
            d->Used = (ushort)used;
            if (dead == 0) return;
            if (!poison) d->Poisoned = 0;
            if (used == 0)
            {
                SmallObjects.Release(d);
                return;
            }
            SmallObjects.RebuildFreeList(d);
            if (d->OnList == 0) SmallObjects.Link(SizeClasses.Get(d->Class), d);
        }
    }
}
