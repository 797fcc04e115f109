// Bit and memory helpers for the collector (the core library has no BitOperations or memset).
// Pure functions over unmanaged memory; lengths are in bytes and multiples of 8.
namespace Internal.Runtime.Gc
{
    internal static unsafe class Bits
    {
        public static int PopCount(ulong x)
        {
            x -= (x >> 1) & 0x5555555555555555UL;
            x = (x & 0x3333333333333333UL) + ((x >> 2) & 0x3333333333333333UL);
            x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
            return (int)((x * 0x0101010101010101UL) >> 56);
        }

        // Index of the lowest set bit; 64 when x is 0.
        public static int TrailingZeros(ulong x) => PopCount((x & (0UL - x)) - 1);

        public static void Fill(byte* p, nuint bytes, ulong pattern)
        {
            ulong* q = (ulong*)p;
            nuint words = bytes >> 3;
            for (nuint i = 0; i < words; i++) q[i] = pattern;
        }

        public static void Zero(byte* p, nuint bytes) => Fill(p, bytes, 0);
    }
}
