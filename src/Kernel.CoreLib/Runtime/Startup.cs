// Module start-up: ILC's ReadyToRun header lists the sections the runtime must initialise before
// managed code touches a static. The kernel calls InitializeModules once, before any reference-
// typed static is read. Header: uint 'RTR', u16 major, u16 minor, uint flags, u16 section count,
// u8 entry size, u8 entry type; then rows {int id, int flags, void* start, void* end}.
namespace Internal.Runtime.CompilerHelpers
{
    public static unsafe class StartupCodeHelpers
    {
        private const uint ReadyToRunSignature = 0x00525452;
        private const int GCStaticRegion = 201;
        private const int EagerCctor = 205;

        // GC static cells start out as a MethodTable pointer with these low bits set.
        private const nint Uninitialized = 1;
        private const nint HasPreInitializedData = 2;

        public static bool InitializeModules(void** modulesStart, void** modulesEnd)
        {
            for (void** m = modulesStart; m < modulesEnd; m++)
            {
                byte* header = (byte*)*m;
                if (header == null) continue;
                if (*(uint*)header != ReadyToRunSignature) return false;
                int sections = *(ushort*)(header + 12);
                int entrySize = header[14];
                byte* row = header + 16;
                for (int i = 0; i < sections; i++, row += entrySize)
                {
                    int id = *(int*)row;
                    byte* start = *(byte**)(row + 8);
                    byte* end = *(byte**)(row + 16);
                    if (id == GCStaticRegion) InitializeStatics(start, end);
                }
                row = header + 16;
                for (int i = 0; i < sections; i++, row += entrySize)
                    if (*(int*)row == EagerCctor) RunEagerCctors(*(byte**)(row + 8), *(byte**)(row + 16));
            }
            return true;
        }

        private static byte* FollowRelative(int* p) => (byte*)p + *p;

        // Each entry is a relative pointer to an 8-byte cell. Before start-up the cell holds two
        // 32-bit relative pointers (from the cell's own address): the static base's MethodTable,
        // with Uninitialized/HasPreInitializedData in its low bits, and, at +4, the data to copy
        // in. Afterwards the cell holds the static base object itself (a root for the collector).
        private static void InitializeStatics(byte* start, byte* end)
        {
            for (int* entry = (int*)start; entry < (int*)end; entry++)
            {
                nint* cell = (nint*)FollowRelative(entry);
                nint value = (nint)FollowRelative((int*)cell);
                if ((value & Uninitialized) == 0) continue;
                MethodTable* type = (MethodTable*)(value & ~(nint)3);
                object obj = Heap.AllocateObject(type);
                if ((value & HasPreInitializedData) != 0)
                {
                    byte* data = FollowRelative((int*)cell + 1);
                    byte* dst = *(byte**)&obj + 8;
                    uint size = type->_uBaseSize - 16;
                    for (uint i = 0; i < size; i++) dst[i] = data[i];
                }
                *cell = *(nint*)&obj;
            }
        }

        private static void RunEagerCctors(byte* start, byte* end)
        {
            for (int* entry = (int*)start; entry < (int*)end; entry++)
                ((delegate*<void>)FollowRelative(entry))();
        }
    }
}

namespace System.Runtime.CompilerServices
{
    // One per class with a lazily run static constructor; the address is cleared once it ran.
    public unsafe struct StaticClassConstructionContext
    {
        public nint cctorMethodAddress;
    }

    // Single-threaded until the scheduler exists: a cctor that re-enters itself sees it as done.
    internal static unsafe class ClassConstructorRunner
    {
        private static void EnsureClassConstructorRun(StaticClassConstructionContext* context)
        {
            nint cctor = context->cctorMethodAddress;
            if (cctor == 0) return;
            context->cctorMethodAddress = 0;
            ((delegate*<void>)cctor)();
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(StaticClassConstructionContext* context, object gcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return gcStaticBase;
        }

        private static nint CheckStaticClassConstructionReturnNonGCStaticBase(StaticClassConstructionContext* context, nint nonGcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return nonGcStaticBase;
        }
    }
}
