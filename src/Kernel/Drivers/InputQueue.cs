// Bytes typed on any console (COM1, PS/2 keyboard), in arrival order. Producers are interrupt
// handlers, the consumer is the shell: a single-producer-at-a-time ring (interrupt gates keep
// handlers from nesting) read with interrupts off. When full, new bytes are dropped and counted.
// A reader with nothing to read sleeps on a wait queue that every new byte wakes (before the
// scheduler runs, it halts until the next interrupt instead).
using Internal.Runtime;
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static unsafe class InputQueue
    {
        private const int Capacity = 4096; // power of two
        private static byte* s_buffer;
        private static uint s_head, s_tail; // head: next to read; tail: next to write
        private static ulong s_dropped;

        public static ulong Dropped => s_dropped;

        public static void Initialize() => s_buffer = (byte*)Heap.AllocateRaw(Capacity);

        // Interrupt context. Ctrl-C while a foreground program runs is a signal, not input.
        public static void Put(byte b)
        {
            if (b == 0x03 && Commands.Jobs.InterruptForeground()) return;
            if (s_tail - s_head == Capacity) { s_dropped++; return; }
            s_buffer[s_tail & (Capacity - 1)] = b;
            s_tail++;
            if (s_readers != null) Sys.Processes.Scheduler.WakeAll(s_readers);
        }

        public static void Put(string s)
        {
            for (int i = 0; i < s.Length; i++) Put((byte)s[i]);
        }

        public static bool TryGet(out byte b)
        {
            using (Sys.Irq.Hold())
            {
                bool any = s_head != s_tail;
                b = any ? s_buffer[s_head & (Capacity - 1)] : (byte)0;
                if (any) s_head++;
                return any;
            }
        }

        private static Sched.WaitQueue s_readers;

        // Called once the scheduler runs: readers sleep instead of halting.
        public static void EnableSleeping() => s_readers = new Sched.WaitQueue(Sys.Processes.Scheduler);

        // Waits until a byte arrives.
        public static byte Get()
        {
            byte b;
            while (!TryGet(out b))
            {
                if (s_readers == null) { Native.StiHlt(); continue; }
                Sys.Irq.Enter();
                if (s_head == s_tail)
                {
                    Sys.Processes.Scheduler.Block(s_readers, 0);
                    Sys.Cpu.Yield();
                }
                Sys.Irq.Exit();
            }
            return b;
        }
    }
}
