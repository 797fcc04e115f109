// Heap consistency check (debug): walks every page. Per object: the MethodTable pointer must be
// non-null and inside the caller's [mtLo, mtHi); the size it gives must fit the slot; every
// reference field must be null, point outside the heap (frozen objects), or point exactly at an
// allocated heap object (its MethodTable word). Per small page: Used == popcount(Alloc), no mark
// bit set, the free list holds exactly the clear-bit slots, and in debug-poison pages every free
// slot still holds 0xDD after its link word. Heap-wide: the bytes-in-use counter matches.
// The first failure is returned; BadSlot/BadValue say where (the object or field, and its value).
namespace Internal.Runtime.Gc
{
    internal static unsafe class HeapVerifier
    {
        private static GcStatus s_status;
        private static nuint s_mtLo, s_mtHi;
        public static void* BadSlot, BadValue;

        private static GcStatus Fail(GcStatus status, void* slot, void* value)
        {
            if (s_status == GcStatus.Ok)
            {
                s_status = status;
                BadSlot = slot;
                BadValue = value;
            }
            return s_status;
        }

        public static GcStatus Verify(nuint mtLo, nuint mtHi, nuint bytesInUse, bool poison)
        {
            s_status = GcStatus.Ok;
            BadSlot = BadValue = null;
            s_mtLo = mtLo;
            s_mtHi = mtHi;
            nuint counted = 0;
            ulong pn = 0;
            PageDesc* d;
            while ((d = PageMap.Next(ref pn)) != null)
            {
                if (d->Kind == PageDesc.KindLarge)
                {
                    pn = PageMap.Linear((nuint)d->Base) + d->Pages;
                    counted += d->Pages << PageSource.PageShift;
                    if (d->Alloc0 != 1 || d->Mark0 != 0) return Fail(GcStatus.CountMismatch, d->Base, null);
                    if (CheckObject(d->Base + 8, d->SlotSize) != GcStatus.Ok) return s_status;
                    continue;
                }
                pn++;
                counted += (nuint)d->Used * d->SlotSize;
                if (CheckSmallPage(d, poison) != GcStatus.Ok) return s_status;
            }
            if (counted != bytesInUse) return Fail(GcStatus.CountMismatch, null, (void*)counted);
            return GcStatus.Ok;
        }

        private static GcStatus CheckSmallPage(PageDesc* d, bool poison)
        {
            ulong* alloc = &d->Alloc0;
            ulong* mark = &d->Mark0;
            int used = 0;
            for (int w = 0; w < 4; w++)
            {
                used += Bits.PopCount(alloc[w]);
                if (mark[w] != 0) return Fail(GcStatus.CountMismatch, d->Base, null);
            }
            if (used != d->Used || used == 0) return Fail(GcStatus.CountMismatch, d->Base, null);
            if ((d->OnList != 0) != (used < d->Capacity)) return Fail(GcStatus.FreeListCorrupt, d->Base, null);

            int free = 0;
            for (byte* slot = d->FreeList; slot != null; slot = *(byte**)slot)
            {
                nuint off = (nuint)(slot - d->Base);
                uint idx = SmallObjects.SlotIndex(d, off);
                if ((nuint)(slot - d->Base) >= PageSource.PageSize || idx >= d->Capacity ||
                    (nuint)idx * d->SlotSize != off || (alloc[idx >> 6] & (1UL << (int)(idx & 63))) != 0 ||
                    ++free > d->Capacity)
                    return Fail(GcStatus.FreeListCorrupt, slot, null);
                if (poison && d->Poisoned != 0)
                {
                    ulong* q = (ulong*)slot;
                    for (nuint k = 1; k < d->SlotSize / 8; k++)
                        if (q[k] != GcHeap.PoisonPattern) return Fail(GcStatus.FreedSlotWritten, slot, q + k);
                }
            }
            if (free != d->Capacity - used) return Fail(GcStatus.FreeListCorrupt, d->Base, null);

            for (int w = 0; w < 4; w++)
            {
                for (ulong bits = alloc[w]; bits != 0; bits &= bits - 1)
                {
                    int idx = w * 64 + Bits.TrailingZeros(bits);
                    if (CheckObject(d->Base + (nuint)idx * d->SlotSize + 8, d->SlotSize) != GcStatus.Ok) return s_status;
                }
            }
            return GcStatus.Ok;
        }

        private static GcStatus CheckObject(byte* obj, nuint slotBytes)
        {
            byte* mt = *(byte**)obj;
            if (mt == null || (nuint)mt < s_mtLo || (nuint)mt >= s_mtHi) return Fail(GcStatus.BadMethodTable, obj, mt);
            nuint size = ObjectLayout.Size(obj, mt);
            if (size > slotBytes) return Fail(GcStatus.ObjectTooLarge, obj, (void*)size);
            if (ObjectLayout.HasPointers(mt)) ObjectLayout.VisitReferences(obj, mt, size, ObjectLayout.ModeVerify);
            return s_status;
        }

        // A reference field's value: outside the heap, or exactly an allocated object.
        public static void CheckReference(byte** slot, byte* value)
        {
            if (s_status != GcStatus.Ok) return;
            if (PageMap.Lookup((nuint)value) == null) return;
            if (GcHeap.FindObject(value) != value) Fail(GcStatus.BadReference, slot, value);
        }
    }
}
