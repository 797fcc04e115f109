// The managed heap's allocation entry points (RhpNew*), as ILC's generated code calls them.
//
// Two sources of memory:
//  - the early arena, one region the kernel hands over at boot (Initialize): a bump allocator for
//    objects made before the collector starts (static bases, the memory manager's own objects)
//    and for raw runtime structures (AllocateRaw) for the kernel's whole life. Never freed; the
//    collector scans it conservatively as a root.
//  - the collected heap (Gc/GcHeap.cs) once the kernel calls StartCollector: pages from the buddy
//    allocator, mark-and-sweep.
// A collection starts when the bytes allocated since the last one reach the trigger (the live
// size after that collection, at least MinTrigger), or when the heap cannot get a page; if an
// allocation still fails after collecting, the kernel reports out of memory and panics.
// Invariants: objects start 8-byte aligned with their MethodTable set and the rest zeroed;
// allocation runs with interrupts off, so it is atomic against interrupts and preemption;
// interrupt handlers and the collector itself never allocate.
using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime.CompilerHelpers;
using Internal.Runtime.Gc;

namespace Internal.Runtime
{
    public static unsafe class Heap
    {
        public const nuint MinTrigger = 4 << 20;

        private static byte* s_next;
        private static byte* s_limit;
        private static byte* s_start;
        private static bool s_collected;
        private static nuint s_sinceCollection;
        private static nuint s_trigger = MinTrigger;

        [RuntimeImport("*", "arch_read_flags")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern ulong ReadFlags();
        [RuntimeImport("*", "arch_write_flags")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern void WriteFlags(ulong flags);
        [RuntimeImport("*", "arch_cli")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern void Cli();

        // Implemented by the kernel: a full collection (the kernel knows the roots).
        [RuntimeImport("*", "kernel_gc_collect")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelCollect();
        // Implemented by the kernel: prints the heap figures and panics.
        [RuntimeImport("*", "kernel_gc_out_of_memory")] [MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelOutOfMemory(nuint size);

        public static void Initialize(void* start, nuint size)
        {
            s_start = s_next = (byte*)(((nuint)start + 7) & ~(nuint)7);
            s_limit = (byte*)start + size;
        }

        // Hands object allocation to the collector; pages come from the given functions.
        public static GcStatus StartCollector(delegate*<nuint, void*> allocPages, delegate*<void*, nuint, void> freePages)
        {
            GcStatus status = GcHeap.Init(allocPages, freePages, GcHeap.DefaultMarkStackPages, GcHeap.DefaultMaxCachedPages);
            s_collected = status == GcStatus.Ok;
            return status;
        }

        public static bool CollectorStarted => s_collected;
        public static byte* EarlyStart => s_start;
        public static byte* EarlyNext => s_next;
        public static nuint EarlyBytesAllocated => (nuint)(s_next - s_start);
        public static nuint EarlyBytesFree => (nuint)(s_limit - s_next);
        public static nuint AllocatedSinceCollection => s_sinceCollection;
        public static nuint Trigger => s_trigger;

        // Called by the kernel after each collection.
        public static void CollectionDone(nuint liveBytes)
        {
            s_sinceCollection = 0;
            s_trigger = liveBytes > MinTrigger ? liveBytes : MinTrigger;
        }

        // Raw zeroed memory from the early arena for runtime structures (never freed, never moves).
        public static void* AllocateRaw(nuint size)
        {
            ulong flags = ReadFlags();
            Cli();
            size = (size + 15) & ~(nuint)15;
            byte* p = null;
            if (s_next != null && size <= (nuint)(s_limit - s_next))
            {
                p = s_next;
                s_next += size;
            }
            WriteFlags(flags);
            if (p == null)
            {
                ThrowHelpers.Panic("heap: early arena exhausted");
                return null;
            }
            for (nuint i = 0; i < size; i += 8) *(ulong*)(p + i) = 0;
            return p;
        }

        // The object's address is the MethodTable word; size counts the 8-byte header before it.
        private static object Allocate(MethodTable* type, nuint size)
        {
            byte* block;
            if (!s_collected)
            {
                block = (byte*)AllocateRaw(size);
            }
            else
            {
                if (s_sinceCollection >= s_trigger) KernelCollect();
                block = TryAllocate(size);
                if (block == null)
                {
                    KernelCollect();
                    block = TryAllocate(size);
                    if (block == null)
                    {
                        KernelOutOfMemory(size);
                        return null;
                    }
                }
            }
            byte* obj = block + 8;
            *(MethodTable**)obj = type;
            return *(object*)&obj;
        }

        private static byte* TryAllocate(nuint size)
        {
            ulong flags = ReadFlags();
            Cli();
            byte* block = (byte*)GcHeap.Allocate(size);
            if (block != null) s_sinceCollection += size;
            WriteFlags(flags);
            return block;
        }

        public static object AllocateObject(MethodTable* type) => Allocate(type, type->_uBaseSize);

        [RuntimeExport("RhpNewFast")]
        private static object NewFast(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewFinalizable")]
        private static object NewFinalizable(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewFastAlign8")]
        private static object NewFastAlign8(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewFastMisalign")]
        private static object NewFastMisalign(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhNewObject")]
        private static object NewObject(MethodTable* type) => AllocateObject(type);

        [RuntimeExport("RhpNewArray")]
        private static object NewArray(MethodTable* type, int length)
        {
            if (length < 0) ThrowHelpers.Panic("heap: negative array length");
            nuint size = type->_uBaseSize + (nuint)length * type->ComponentSize;
            size = (size + 7) & ~(nuint)7;
            object array = Allocate(type, size);
            byte* obj = *(byte**)&array;
            *(int*)(obj + 8) = length;
            return array;
        }

        [RuntimeExport("RhpNewArrayFast")]
        private static object NewArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static object NewPtrArrayFast(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhNewArray")]
        private static object RhNewArray(MethodTable* type, int length) => NewArray(type, length);

        [RuntimeExport("RhpGcPoll")]
        private static void GcPoll() { }
    }
}
