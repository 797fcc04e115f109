// The time-stamp counter as a fine clock: its rate is measured once at boot against the 1 kHz PIT
// (10 ticks), which is good to about 0.1% — enough for pause times and benchmark figures. QEMU
// (and modern CPUs) keep the TSC invariant, so one calibration holds.
namespace Kernel.Arch
{
    internal static class Tsc
    {
        private const int CalibrationTicks = 10;
        private static ulong s_cyclesPerMs = 1;

        public static ulong CyclesPerMs => s_cyclesPerMs;

        // Interrupts must be on (the PIT drives the measurement).
        public static void Calibrate()
        {
            ulong t0 = Pit.Ticks;
            while (Pit.Ticks == t0) Native.Hlt();
            ulong start = Native.Rdtsc();
            ulong t1 = Pit.Ticks;
            while (Pit.Ticks < t1 + CalibrationTicks) Native.Hlt();
            ulong cycles = Native.Rdtsc() - start;
            s_cyclesPerMs = cycles / CalibrationTicks;
            if (s_cyclesPerMs == 0) s_cyclesPerMs = 1;
        }

        public static ulong Now => Native.Rdtsc();
        public static ulong ToMicroseconds(ulong cycles) => cycles * 1000 / s_cyclesPerMs;
        public static ulong ToMilliseconds(ulong cycles) => cycles / s_cyclesPerMs;
    }
}
