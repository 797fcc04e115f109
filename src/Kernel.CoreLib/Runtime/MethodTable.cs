// The MethodTable (EEType) layout that ILC 10 emits, read-only here. Offsets (x64):
//   +0  uint  flags: low 16 bits = component size (arrays, string), high 16 bits = EETypeFlags
//   +4  uint  base size (includes the 8-byte header word before the MethodTable pointer)
//   +8  MT*   related type: base class for classes, element type for arrays
//   +16 u16   vtable slot count      +18 u16 interface count      +20 uint hash code
//   +24 vtable slots (8 bytes each), then interface MethodTable pointers (8 bytes each), then
//   4-byte relative pointers: type manager, writable data, [dispatch map], [finalizer], [sealed vtable] …
// The GCDesc lies before the MethodTable (see dotnet/runtime's gcdesc.h).
using System.Runtime.InteropServices;

namespace Internal.Runtime
{
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct MethodTable
    {
        internal uint _uFlags;
        internal uint _uBaseSize;
        internal MethodTable* _relatedType;
        internal ushort _usNumVtableSlots;
        internal ushort _usNumInterfaces;
        internal uint _uHashCode;

        internal const uint HasComponentSizeFlag = 0x80000000;
        internal const uint HasPointersFlag = 0x01000000;
        internal const uint IsGenericFlag = 0x02000000;
        internal const uint HasFinalizerFlag = 0x00100000;
        internal const uint HasSealedVTableEntriesFlag = 0x00400000;
        internal const uint HasDispatchMapFlag = 0x00040000;
        internal const uint ElementTypeMask = 0x7C000000;
        internal const int ElementTypeShift = 26;

        // EETypeElementType values that matter for casting.
        internal const uint ElementTypeInterface = 0x13;
        internal const uint ElementTypeSystemArray = 0x14;
        internal const uint ElementTypeArray = 0x15;
        internal const uint ElementTypeSzArray = 0x16;

        public uint BaseSize => _uBaseSize;
        public ushort ComponentSize => HasComponentSize ? (ushort)_uFlags : (ushort)0;
        public bool HasComponentSize => (_uFlags & HasComponentSizeFlag) != 0;
        public bool HasPointers => (_uFlags & HasPointersFlag) != 0;
        public uint ElementType => (_uFlags & ElementTypeMask) >> ElementTypeShift;
        public bool IsInterface => ElementType == ElementTypeInterface;
        public bool IsArray => ElementType == ElementTypeSzArray || ElementType == ElementTypeArray;
        public MethodTable* RelatedType => _relatedType;
        public int NumVtableSlots => _usNumVtableSlots;
        public int NumInterfaces => _usNumInterfaces;

        private byte* Self { get { fixed (MethodTable* p = &this) return (byte*)p; } }

        public nint* VTable => (nint*)(Self + sizeof(MethodTable));

        public MethodTable** Interfaces => (MethodTable**)(Self + sizeof(MethodTable) + 8 * _usNumVtableSlots);

        // Offset of the first optional relative pointer (the type manager indirection).
        private int OptionalFieldsOffset => sizeof(MethodTable) + 8 * _usNumVtableSlots + 8 * _usNumInterfaces;

        private static byte* FollowRelative(byte* p) => p + *(int*)p;

        // Type manager, writable data, then dispatch map: each a 4-byte relative pointer.
        public DispatchMap* DispatchMap
        {
            get
            {
                if ((_uFlags & HasDispatchMapFlag) == 0) return null;
                return (DispatchMap*)FollowRelative(Self + OptionalFieldsOffset + 8);
            }
        }

        public nint SealedVirtualSlot(int index)
        {
            int offset = OptionalFieldsOffset + 8;
            if ((_uFlags & HasDispatchMapFlag) != 0) offset += 4;
            if ((_uFlags & HasFinalizerFlag) != 0) offset += 4;
            byte* table = FollowRelative(Self + offset);
            return (nint)FollowRelative(table + 4 * index);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct DispatchMapEntry
    {
        public ushort InterfaceIndex;
        public ushort InterfaceMethodSlot;
        public ushort ImplMethodSlot;
    }

    // Header of a type's interface dispatch map; the entries follow it.
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct DispatchMap
    {
        public ushort StandardEntryCount;
        public ushort DefaultEntryCount;
        public ushort StandardStaticEntryCount;
        public ushort DefaultStaticEntryCount;

        public DispatchMapEntry* Entries { get { fixed (DispatchMap* p = &this) return (DispatchMapEntry*)(p + 1); } }
    }
}
