// Result codes of the collector's entry points (the kernel has no exceptions: every failure is a
// value). Ok is zero; Verify's codes name the first inconsistency it found, and GcHeap.BadSlot /
// GcHeap.BadValue say where.
namespace Internal.Runtime.Gc
{
    public enum GcStatus
    {
        Ok = 0,
        OutOfMemory = 1,          // the page source returned null
        NotInitialized = 2,       // Init has not succeeded
        CollectionInProgress = 3, // BeginCollection twice, or Allocate/Verify while marking
        NoCollection = 4,         // Trace/Sweep without BeginCollection
        BadArgument = 5,
        BadMethodTable = 6,       // an allocated object's MethodTable is null or outside the given range
        ObjectTooLarge = 7,       // an object's size (from its MethodTable) overflows its slot
        BadReference = 8,         // a reference field points into the heap but not at a live object
        FreedSlotWritten = 9,     // debug poison of a free slot was overwritten (use after free)
        FreeListCorrupt = 10,     // a page's free list disagrees with its allocation bitmap
        CountMismatch = 11,       // per-page or heap-wide counters disagree with the bitmaps
    }
}
