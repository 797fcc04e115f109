// The managed heap's allocation entry points (RhpNew*), as ILC's generated code calls them.
// Memory comes from one region the kernel hands over at boot (Heap.Initialize) and is carved
// out by bumping a pointer: nothing is freed yet (the collector is a later step). Invariants:
// every object starts 8-byte aligned with its MethodTable pointer set and the rest zeroed; the
// allocator never allocates itself, so it is safe to call from anywhere but interrupt handlers.
using System.Runtime;
using Internal.Runtime.CompilerHelpers;

namespace Internal.Runtime
{
    public static unsafe class Heap
    {
        private static byte* s_next;
        private static byte* s_limit;
        private static byte* s_start;

        public static void Initialize(void* start, nuint size)
        {
            s_start = s_next = (byte*)(((nuint)start + 7) & ~(nuint)7);
            s_limit = (byte*)start + size;
        }

        public static nuint BytesAllocated => (nuint)(s_next - s_start);
        public static nuint BytesFree => (nuint)(s_limit - s_next);

        // Raw zeroed memory for runtime structures (never collected).
        public static void* AllocateRaw(nuint size)
        {
            size = (size + 15) & ~(nuint)15;
            if (s_next == null || size > (nuint)(s_limit - s_next))
            {
                ThrowHelpers.Panic("heap: out of memory");
                return null;
            }
            byte* p = s_next;
            s_next += size;
            for (nuint i = 0; i < size; i += 8) *(ulong*)(p + i) = 0;
            return p;
        }

        // The object's address is the MethodTable word; BaseSize counts the 8-byte header before it.
        private static void* Allocate(MethodTable* type, nuint size)
        {
            byte* p = (byte*)AllocateRaw(size);
            byte* obj = p + 8;
            *(MethodTable**)obj = type;
            return obj;
        }

        public static object AllocateObject(MethodTable* type)
        {
            void* p = Allocate(type, type->_uBaseSize);
            return *(object*)&p;
        }

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
            byte* obj = (byte*)Allocate(type, size);
            *(int*)(obj + 8) = length;
            return *(object*)&obj;
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
