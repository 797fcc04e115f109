// How ILC 10 lays out an object, read without the MethodTable struct (so this compiles on the
// host too). An object reference points at its MethodTable word; the 8-byte header word is
// before it, so an object occupies [obj - 8, obj - 8 + size). MethodTable: +0 uint flags (low 16
// bits = component size, HasComponentSize 0x80000000, HasPointers 0x01000000), +4 uint BaseSize
// (header included). size = align8(BaseSize + (HasComponentSize ? length * ComponentSize : 0)),
// length = int32 at obj + 8.
// GCDesc, read backwards from the MethodTable: nint series count N at MT - 8.
//   N > 0: series i at MT - 8 - 16(i + 1) = {nint size, nint offset}: references at obj + offset
//          for (size + objectSize) bytes (size is negative, so arrays get their element count).
//   N < 0: arrays of structs: nint start offset at MT - 16, then -N items {uint nptrs, uint skip}
//          at MT - 24, MT - 32, ...: nptrs references then skip bytes, repeated per element from
//          obj + start until obj + size - 8 (the object's end).
namespace Internal.Runtime.Gc
{
    internal static unsafe class ObjectLayout
    {
        public const uint HasComponentSizeFlag = 0x80000000;
        public const uint HasPointersFlag = 0x01000000;

        public const int ModeMark = 0;
        public const int ModeVerify = 1;

        public static byte* MethodTableOf(byte* obj) => *(byte**)obj;

        public static bool HasPointers(byte* mt) => (*(uint*)mt & HasPointersFlag) != 0;

        public static nuint Size(byte* obj, byte* mt)
        {
            uint flags = *(uint*)mt;
            nuint size = *(uint*)(mt + 4);
            if ((flags & HasComponentSizeFlag) != 0)
                size += (nuint)(uint)*(int*)(obj + 8) * (flags & 0xFFFF);
            return (size + 7) & ~(nuint)7;
        }

        // Calls the mode's visitor on every reference slot of obj (whose size is `size`).
        public static void VisitReferences(byte* obj, byte* mt, nuint size, int mode)
        {
            nint n = *(nint*)(mt - 8);
            if (n > 0)
            {
                for (nint i = 0; i < n; i++)
                {
                    byte* series = mt - 8 - 16 * (i + 1);
                    nint seriesSize = *(nint*)series;
                    nint offset = *(nint*)(series + 8);
                    byte* p = obj + offset;
                    byte* stop = p + (seriesSize + (nint)size);
                    for (; p < stop; p += 8) Visit((byte**)p, mode);
                }
            }
            else if (n < 0)
            {
                nint items = -n;
                byte* p = obj + *(nint*)(mt - 16);
                byte* stop = obj + size - 8;
                while (p < stop)
                {
                    for (nint i = 0; i < items; i++)
                    {
                        byte* item = mt - 24 - 8 * i;
                        uint nptrs = *(uint*)item;
                        uint skip = *(uint*)(item + 4);
                        for (uint k = 0; k < nptrs; k++, p += 8) Visit((byte**)p, mode);
                        p += skip;
                    }
                }
            }
        }

        private static void Visit(byte** slot, int mode)
        {
            byte* value = *slot;
            if (value == null) return;
            if (mode == ModeMark) Marker.MarkAddress((nuint)value);
            else HeapVerifier.CheckReference(slot, value);
        }
    }
}
