// The PIT (8254): channel 0 at 1000 Hz is the scheduler's tick — it ends time slices and wakes
// timed sleepers — and channel 2 (gated through port 0x61, its output read back there) is the
// reference the TSC is calibrated against once at boot. The tick does not keep time: ticks are
// lost whenever interrupts stay off longer than a millisecond (a collection, a long copy), so the
// clock is the TSC (Tsc.cs) and UptimeMs reads it; a tick only asks "what time is it now".
namespace Kernel.Arch
{
    internal static class Pit
    {
        public const int Hz = 1000;
        public const uint BaseFrequency = 1193182;
        private const ushort Command = 0x43, Channel0 = 0x40, Channel2 = 0x42, SpeakerPort = 0x61;
        private const byte Gate2 = 0x01, SpeakerData = 0x02, Out2 = 0x20;
        private static ulong s_ticks;

        // Milliseconds since the PIT was set up, from the TSC (see Tsc.UptimeMs).
        public static ulong UptimeMs => Tsc.UptimeMs;
        // Timer interrupts taken: scheduler bookkeeping only, not a clock (ticks can be lost).
        public static ulong Ticks => s_ticks;

        public static void Initialize()
        {
            Tsc.SetOrigin();
            ushort divisor = (ushort)(BaseFrequency / Hz);
            Native.OutB(Command, 0x34); // channel 0, lo/hi byte, rate generator
            Native.OutB(Channel0, (byte)divisor);
            Native.OutB(Channel0, (byte)(divisor >> 8));
            Pic.Unmask(0);
        }

        // Interrupt context: no allocation.
        public static void Tick() => s_ticks++;

        // Channel 2 as a one-shot of `count` PIT cycles (at most 65535, about 54.9 ms): loads the
        // count (mode 0: the output goes low now and high when the count runs out) with the gate
        // on and the speaker off. Returns TSC readings just before and just after the load, which
        // bracket the moment counting started.
        public static void StartOneShot(ushort count, out ulong before, out ulong after)
        {
            Native.OutB(SpeakerPort, (byte)((Native.InB(SpeakerPort) & ~SpeakerData) | Gate2));
            Native.OutB(Command, 0xB0);  // channel 2, lo/hi byte, mode 0, binary
            Native.OutB(Channel2, (byte)count);
            before = Native.Rdtsc();
            Native.OutB(Channel2, (byte)(count >> 8));
            after = Native.Rdtsc();
        }

        // Channel 2's output (high once the one-shot has run out).
        public static bool OneShotDone() => (Native.InB(SpeakerPort) & Out2) != 0;

        // Gate off again (the speaker stays off).
        public static void StopOneShot() => Native.OutB(SpeakerPort, (byte)(Native.InB(SpeakerPort) & ~(Gate2 | SpeakerData)));
    }
}
