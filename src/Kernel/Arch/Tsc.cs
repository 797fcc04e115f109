// The time-stamp counter is the kernel's clock: uptime, sleep deadlines, dmesg stamps and every
// benchmark's milliseconds come from it, so they agree with each other and with wall-clock time
// whatever stretches ran with interrupts off. Its rate is measured once at boot against the PIT's
// channel 2 (a 25 ms one-shot polled with interrupts off; both ends are bracketed by TSC readings
// and the measurement is repeated while either bracket is wider than 1/4000 of it), good to well
// under 0.1%. QEMU (TCG: host TSC ticks against the host's monotonic clock behind the PIT) and
// modern CPUs keep the TSC invariant, so one calibration holds.
// Invariants: s_origin is the TSC at Pit.Initialize; s_cyclesPerMs > 0 once Calibrate returned
// (until then UptimeMs counts the timer's ticks, which nothing before calibration reads).
namespace Kernel.Arch
{
    internal static class Tsc
    {
        private const ushort OneShotCount = 29830;            // PIT cycles: 25.0 ms at 1193182 Hz
        private const int Attempts = 8;
        private const int LegacyTicks = 100;                  // fallback: 100 timer ticks
        private static ulong s_origin;
        private static ulong s_cyclesPerMs;

        public static ulong CyclesPerMs => s_cyclesPerMs == 0 ? 1 : s_cyclesPerMs;

        public static void SetOrigin() => s_origin = Native.Rdtsc();

        // Interrupts must be on (the fallback counts timer ticks).
        public static void Calibrate()
        {
            for (int attempt = 0; attempt < Attempts && s_cyclesPerMs == 0; attempt++)
                s_cyclesPerMs = MeasureWithChannel2();
            if (s_cyclesPerMs != 0) return;
            s_cyclesPerMs = MeasureWithTicks();
            if (s_cyclesPerMs == 0) s_cyclesPerMs = 1;
            Log.Line("tsc: PIT channel 2 gave no usable measurement; calibrated over 100 timer ticks (less exact)");
        }

        // Cycles per ms over one channel-2 one-shot, or 0 when the brackets were too wide (an
        // interrupted emulator thread, say) or the output never went high (no channel 2).
        private static ulong MeasureWithChannel2()
        {
            Sys.Irq.Enter();
            Pit.StartOneShot(OneShotCount, out ulong startLow, out ulong startHigh);
            ulong lastBefore = startHigh, before = startHigh, after = startHigh;
            bool done = false;
            int polls = 0;
            // Bounded by the TSC itself: 2^32 cycles is over 1 s on any CPU this runs on below 4 GHz.
            while (after - startHigh < (1UL << 32))
            {
                lastBefore = before;
                before = Native.Rdtsc();
                done = Pit.OneShotDone();
                after = Native.Rdtsc();
                polls++;
                if (done) break;
            }
            Pit.StopOneShot();
            Sys.Irq.Exit();
            // High at the first poll: no channel 2 behind port 0x61 (it reads 0xFF), or no count.
            if (!done || polls < 2) return 0;
            // Counting started within [startLow, startHigh]; the output rose after the previous
            // poll began and before this one ended: within [lastBefore, after].
            ulong start = startLow + (startHigh - startLow) / 2;
            ulong end = lastBefore + (after - lastBefore) / 2;
            if (end <= start) return 0;
            ulong span = end - start;
            if ((startHigh - startLow) * 4000 > span || (after - lastBefore) * 4000 > span) return 0;
            // span cycles took OneShotCount / BaseFrequency seconds.
            return span * Pit.BaseFrequency / ((ulong)OneShotCount * 1000);
        }

        private static ulong MeasureWithTicks()
        {
            ulong t0 = Pit.Ticks;
            while (Pit.Ticks == t0) Native.Hlt();
            ulong start = Native.Rdtsc();
            ulong t1 = Pit.Ticks;
            while (Pit.Ticks < t1 + LegacyTicks) Native.Hlt();
            return (Native.Rdtsc() - start) / LegacyTicks;
        }

        public static ulong Now => Native.Rdtsc();
        public static ulong ToMicroseconds(ulong cycles) => cycles / CyclesPerMs * 1000 + cycles % CyclesPerMs * 1000 / CyclesPerMs;
        public static ulong ToMilliseconds(ulong cycles) => cycles / CyclesPerMs;

        // Since Pit.Initialize. Interrupt context allowed (no allocation).
        public static ulong UptimeMs => s_cyclesPerMs == 0 ? Pit.Ticks : (Native.Rdtsc() - s_origin) / s_cyclesPerMs;
        public static ulong UptimeMicroseconds => s_cyclesPerMs == 0 ? Pit.Ticks * 1000 : ToMicroseconds(Native.Rdtsc() - s_origin);
    }
}
