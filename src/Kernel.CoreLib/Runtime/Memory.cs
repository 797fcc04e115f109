// Block copies and fills that ILC's generated code and the C# compiler bind by name.
using System.Runtime;

namespace System
{
    public static unsafe class Buffer
    {
        // The collector does not move objects and write barriers are plain stores, so a
        // reference-carrying copy is an ordinary memmove.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination) fixed (byte* s = &source) SpanHelpers.MemMove(d, s, byteCount);
        }

        public static void MemoryCopy(void* source, void* destination, long destinationSizeInBytes, long sourceBytesToCopy) =>
            SpanHelpers.MemMove((byte*)destination, (byte*)source, (nuint)sourceBytesToCopy);
    }

    internal static unsafe class SpanHelpers
    {
        internal static void MemMove(byte* dst, byte* src, nuint n)
        {
            if (dst < src || dst >= src + n)
                for (nuint i = 0; i < n; i++) dst[i] = src[i];
            else
                for (nuint i = n; i > 0; i--) dst[i - 1] = src[i - 1];
        }

        internal static void Memmove(ref byte destination, ref byte source, nuint len)
        {
            fixed (byte* d = &destination) fixed (byte* s = &source) MemMove(d, s, len);
        }

        internal static void ClearWithoutReferences(ref byte b, nuint byteLength)
        {
            fixed (byte* p = &b) for (nuint i = 0; i < byteLength; i++) p[i] = 0;
        }

        internal static void Fill(ref byte b, nuint byteLength, byte value)
        {
            fixed (byte* p = &b) for (nuint i = 0; i < byteLength; i++) p[i] = value;
        }

        [RuntimeExport("RhSpanHelpers_MemCopy")]
        private static void MemCopy(ref byte destination, ref byte source, nuint size) => Memmove(ref destination, ref source, size);

        [RuntimeExport("RhSpanHelpers_MemSet")]
        private static void MemSet(ref byte destination, byte value, nuint size) => Fill(ref destination, size, value);

        [RuntimeExport("RhSpanHelpers_MemZero")]
        private static void MemZero(ref byte destination, nuint size) => ClearWithoutReferences(ref destination, size);
    }
}
