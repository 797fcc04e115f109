// The PIT on channel 0 at 1000 Hz: one tick per millisecond is the kernel's uptime clock.
namespace Kernel.Arch
{
    internal static class Pit
    {
        public const int Hz = 1000;
        private const uint BaseFrequency = 1193182;
        private static ulong s_ticks;

        public static ulong UptimeMs => s_ticks * 1000 / Hz;
        public static ulong Ticks => s_ticks;

        public static void Initialize()
        {
            ushort divisor = (ushort)(BaseFrequency / Hz);
            Native.OutB(0x43, 0x34); // channel 0, lo/hi byte, rate generator
            Native.OutB(0x40, (byte)divisor);
            Native.OutB(0x40, (byte)(divisor >> 8));
            Pic.Unmask(0);
        }

        // Interrupt context: no allocation.
        public static void Tick() => s_ticks++;
    }
}
