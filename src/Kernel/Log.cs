// The kernel log (dmesg): a fixed 64 KiB ring of text lines, each prefixed with the uptime as
// Linux does ("[    0.012345] ", microseconds from the TSC clock, Arch/Tsc.cs). Until the shell's first prompt, lines are also echoed to the
// console; after it nothing is written to the console asynchronously. When full, the oldest
// text is overwritten.
using Internal.Runtime;
using Kernel.Arch;
using Kernel.Drivers;

namespace Kernel
{
    internal static unsafe class Log
    {
        private const int Capacity = 64 * 1024; // power of two
        private static byte* s_ring;
        private static ulong s_written; // total bytes ever written; the ring holds the last Capacity
        private static ulong s_cleared; // Dump starts here (dmesg -c/-C); always at a line boundary
        private static bool s_echo = true;

        public static void Initialize() => s_ring = (byte*)Heap.AllocateRaw(Capacity);

        // Called when the shell takes over the console.
        public static void StopEcho() => s_echo = false;

        private static void Put(byte b)
        {
            if (s_ring != null) s_ring[s_written++ & (Capacity - 1)] = b;
            if (s_echo) Console.Write(b);
        }

        private static void PutDecimal(ulong value, int width)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do { digits[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            for (int i = n; i < width; i++) Put((byte)' ');
            while (n > 0) Put(digits[--n]);
        }

        // dmesg -C: what was written so far is no longer shown.
        public static void Clear() => s_cleared = s_written;

        public static void Line(string text)
        {
            ulong us = Tsc.UptimeMicroseconds;
            Put((byte)'[');
            PutDecimal(us / 1000000, 5);
            Put((byte)'.');
            ulong micros = us % 1000000;
            for (ulong d = 100000; d > 0; d /= 10) Put((byte)('0' + (int)(micros / d % 10)));
            Put((byte)']'); Put((byte)' ');
            for (int i = 0; i < text.Length; i++) Put((byte)text[i]);
            Put((byte)'\n');
        }

        // Prints the ring's contents since the last Clear, oldest first, starting at a line boundary.
        public static void Dump()
        {
            ulong start = s_written > Capacity ? s_written - Capacity : 0;
            if (start > s_cleared) while (start < s_written && s_ring[start++ & (Capacity - 1)] != '\n') { }   // a line cut by the wrap
            else start = s_cleared;
            for (ulong i = start; i < s_written; i++) Console.Write(s_ring[i & (Capacity - 1)]);
        }
    }
}
