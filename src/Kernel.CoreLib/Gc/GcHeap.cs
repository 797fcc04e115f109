// The collector's public face: a stop-the-world, non-moving mark-and-sweep heap.
//   Init(allocPages, freePages, markStackPages, maxCachedPages)   once, before any allocation
//   Allocate(size) -> zeroed block of `size` bytes (8-aligned, 16 for small), or null when the
//       page source is exhausted. The block starts with the object's 8-byte header word: the
//       caller stores the MethodTable pointer at block + 8, and block + 8 is the reference.
//   A collection: BeginCollection; roots via MarkConservative / MarkPrecise / MarkRange /
//       MarkReference / TraceExternalObject(s); Trace; Sweep. Verify between collections.
// Concurrency: none. The kernel calls Allocate with interrupts disabled and collects with the
// world stopped (interrupts off, one CPU); nothing here locks. Allocate returns null while a
// collection is in progress (allocating inside the collector is a kernel bug).
// State: static fields only; heap memory and metadata come from the page source.
namespace Internal.Runtime.Gc
{
    public static unsafe class GcHeap
    {
        public const ulong PoisonPattern = 0xDDDDDDDDDDDDDDDDUL;
        public const nuint DefaultMarkStackPages = 16;   // 64 KiB: 8192 references
        public const nuint DefaultMaxCachedPages = PageSource.DefaultMaxCached;
        public const nuint MaxSmallObject = SizeClasses.MaxSmall;

        private const int StateOff = 0, StateIdle = 1, StateMarking = 2;

        private static int s_state;
        private static bool s_poison;
        private static ulong s_collections, s_totalOverflows;
        internal static nuint s_bytesInUse, s_objectsInUse;
        private static nuint s_lastLive, s_lastFreed, s_lastLiveObjects, s_lastFreedObjects;

        public static GcStatus Init(delegate*<nuint, void*> allocPages, delegate*<void*, nuint, void> freePages,
            nuint markStackPages, nuint maxCachedPages)
        {
            if (allocPages == null || freePages == null) return GcStatus.BadArgument;
            if (s_state == StateMarking) return GcStatus.CollectionInProgress;
            s_state = StateOff;
            s_collections = s_totalOverflows = 0;
            s_bytesInUse = s_objectsInUse = 0;
            s_lastLive = s_lastFreed = s_lastLiveObjects = s_lastFreedObjects = 0;
            PageSource.Init(allocPages, freePages, maxCachedPages);
            DescPool.Init();
            byte* table = PageSource.AllocMeta(1);
            if (table == null) return GcStatus.OutOfMemory;
            SizeClasses.Init(table);
            if (!PageMap.Init() || !Marker.Init(markStackPages)) return GcStatus.OutOfMemory;
            s_state = StateIdle;
            return GcStatus.Ok;
        }

        public static bool IsInitialized => s_state != StateOff;
        public static bool IsCollecting => s_state == StateMarking;

        // Debug mode: poison freed slots (and fresh pages' free slots) with 0xDD; Verify checks it.
        public static bool DebugPoison
        {
            get => s_poison;
            set => s_poison = value;
        }

        public static void* Allocate(nuint size)
        {
            if (s_state != StateIdle) return null;
            if (size == 0) size = 8;
            byte* p;
            nuint slot;
            if (size <= SizeClasses.MaxSmall)
            {
                p = SmallObjects.Allocate(size);
                slot = SizeClasses.For(size)->Size;
            }
            else
            {
                p = LargeObjects.Allocate(size);
                slot = ((size + PageSource.PageSize - 1) >> PageSource.PageShift) << PageSource.PageShift;
            }
            if (p == null) return null;
            s_bytesInUse += slot;
            s_objectsInUse++;
            return p;
        }

        // ---- collection ----

        public static GcStatus BeginCollection()
        {
            if (s_state == StateOff) return GcStatus.NotInitialized;
            if (s_state == StateMarking) return GcStatus.CollectionInProgress;
            Marker.Begin();
            s_state = StateMarking;
            return GcStatus.Ok;
        }

        // Every 8-aligned word in [start, end) that points into an allocated object marks it.
        public static void MarkConservative(void* start, void* end)
        {
            if (s_state != StateMarking) return;
            nuint p = ((nuint)start + 7) & ~(nuint)7;
            for (; p + 8 <= (nuint)end && p + 8 > p; p += 8) Marker.MarkAddress(*(nuint*)p);
        }

        // A slot holding an exact reference or null (e.g. a static-base cell).
        public static void MarkPrecise(void* slot)
        {
            if (s_state != StateMarking || slot == null) return;
            nuint v = *(nuint*)slot;
            if (v != 0) Marker.MarkAddress(v);
        }

        // count consecutive reference slots.
        public static void MarkRange(void** refs, nuint count)
        {
            if (s_state != StateMarking) return;
            for (nuint i = 0; i < count; i++)
                if (refs[i] != null) Marker.MarkAddress((nuint)refs[i]);
        }

        public static void MarkReference(void* obj)
        {
            if (s_state != StateMarking || obj == null) return;
            Marker.MarkAddress((nuint)obj);
        }

        // Scans the reference fields of an object outside the heap (frozen, in the kernel image)
        // once, as roots. The object itself is not marked.
        public static void TraceExternalObject(void* obj)
        {
            if (s_state != StateMarking || obj == null) return;
            Marker.Scan((byte*)obj);
        }

        // The same for consecutive objects from `first` (a reference: its MethodTable word) up to
        // `end`, each following the previous at its aligned size; a null MethodTable ends the walk.
        // For ILC's frozen segment: first = segment start + 8.
        public static void TraceExternalObjects(void* first, void* end)
        {
            if (s_state != StateMarking) return;
            byte* obj = (byte*)first;
            while (obj + 8 <= (byte*)end)
            {
                byte* mt = *(byte**)obj;
                if (mt == null) break;
                Marker.Scan(obj);
                obj += ObjectLayout.Size(obj, mt);
            }
        }

        // Marks transitively from everything marked so far (may be called more than once).
        public static GcStatus Trace()
        {
            if (s_state != StateMarking) return GcStatus.NoCollection;
            Marker.Trace();
            return GcStatus.Ok;
        }

        // Finishes the trace, frees every unmarked object and ends the collection.
        public static GcStatus Sweep()
        {
            if (s_state != StateMarking) return GcStatus.NoCollection;
            Marker.Trace();
            Sweeper.Sweep(s_poison);
            s_lastLive = Sweeper.LiveBytes;
            s_lastFreed = Sweeper.FreedBytes;
            s_lastLiveObjects = Sweeper.LiveObjects;
            s_lastFreedObjects = Sweeper.FreedObjects;
            s_bytesInUse -= Sweeper.FreedBytes;
            s_objectsInUse -= Sweeper.FreedObjects;
            s_totalOverflows += Marker.Overflows;
            s_collections++;
            s_state = StateIdle;
            return GcStatus.Ok;
        }

        // ---- queries ----

        // The reference (block + 8) of the allocated heap object whose block contains p, or null.
        public static void* FindObject(void* p)
        {
            PageDesc* d = PageMap.Lookup((nuint)p);
            if (d == null) return null;
            nuint off = (nuint)((byte*)p - d->Base);
            if (d->Kind == PageDesc.KindLarge)
                return off < d->SlotSize && d->Alloc0 != 0 ? d->Base + 8 : null;
            uint idx = SmallObjects.SlotIndex(d, off);
            if (idx >= d->Capacity || ((&d->Alloc0)[idx >> 6] & (1UL << (int)(idx & 63))) == 0) return null;
            return d->Base + (nuint)idx * d->SlotSize + 8;
        }

        public static bool IsHeapAddress(void* p) => PageMap.Lookup((nuint)p) != null;

        // Aligned size of an object from its MethodTable (header included).
        public static nuint ObjectSize(void* obj) => ObjectLayout.Size((byte*)obj, *(byte**)obj);

        // Heap consistency (see HeapVerifier); MethodTables must lie in [mtLo, mtHi).
        public static GcStatus Verify(void* mtLo, void* mtHi)
        {
            if (s_state == StateOff) return GcStatus.NotInitialized;
            if (s_state == StateMarking) return GcStatus.CollectionInProgress;
            return HeapVerifier.Verify((nuint)mtLo, (nuint)mtHi, s_bytesInUse, s_poison);
        }

        public static void* BadSlot => HeapVerifier.BadSlot;
        public static void* BadValue => HeapVerifier.BadValue;

        // Gives the cached empty pages back to the page source.
        public static void ReleaseCachedPages() => PageSource.DrainCache();

        // ---- statistics ----

        public static ulong Collections => s_collections;
        public static nuint LiveBytes => s_lastLive;            // after the last sweep
        public static nuint FreedBytes => s_lastFreed;          // by the last sweep
        public static nuint LiveObjects => s_lastLiveObjects;
        public static nuint FreedObjects => s_lastFreedObjects;
        public static nuint BytesInUse => s_bytesInUse;         // slots handed out now
        public static nuint ObjectsInUse => s_objectsInUse;
        public static nuint PagesInUse => PageSource.ObjectPages;       // small pages + large runs
        public static nuint MetadataPages => PageSource.MetaPages;      // never returned
        public static nuint CachedPages => PageSource.CachedPages;
        public static nuint MarkStackCapacity => Marker.Capacity;       // references
        public static nuint MarkOverflows => Marker.Overflows;          // in the last collection
        public static nuint RescanPasses => Marker.RescanPasses;        // in the last collection
        public static ulong TotalMarkOverflows => s_totalOverflows;
    }
}
