// Bytes typed on any console (COM1, PS/2 keyboard), in arrival order. Producers are interrupt
// handlers (and Serial.Resume, with interrupts off), the consumer is the shell: a
// single-producer-at-a-time ring (interrupt gates keep handlers from nesting) read with
// interrupts off. A reader with nothing to read sleeps on a wait queue that every new byte wakes
// (before the scheduler runs, it halts until the next interrupt instead).
//
// Nothing typed is lost silently (as Linux's n_tty):
//  - COM1 stops taking bytes while the ring has no more than TerminatorRoom bytes free (Serial
//    leaves them in the UART's FIFO, and QEMU stops reading its input while that is full); the
//    reader resumes it once half the ring is free again.
//  - The last TerminatorRoom bytes are kept for what ends or cancels a line (CR, LF, Ctrl-C,
//    Ctrl-U): a keyboard that cannot be held back still gets its Enter through.
//  - Anything dropped all the same (a full ring) is counted; the shell reports the count.
// Invariants: 0 <= s_tail - s_head <= Capacity; s_interrupts counts the 0x03 bytes in the ring;
// s_dropped only grows.
using Internal.Runtime;
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static unsafe class InputQueue
    {
        private const int Capacity = 4096;       // power of two
        public const int TerminatorRoom = 16;    // free bytes kept for line terminators
        private static byte* s_buffer;
        private static uint s_head, s_tail;      // head: next to read; tail: next to write
        private static uint s_interrupts;        // Ctrl-C bytes between head and tail
        private static ulong s_dropped;

        public static ulong Dropped => s_dropped;

        public static void Initialize() => s_buffer = (byte*)Heap.AllocateRaw(Capacity);

        private static uint Room => Capacity - (s_tail - s_head);

        // Room for `count` more ordinary bytes (beyond what is kept for terminators).
        public static bool HasRoomFor(int count) => Room >= (uint)(count + TerminatorRoom);

        private static bool IsTerminator(byte b) => b == '\r' || b == '\n' || b == 0x03 || b == 0x15;

        // Interrupt context (or interrupts off). Ctrl-C while a foreground program runs is a
        // signal, not input.
        public static void Put(byte b)
        {
            if (b == 0x03 && Commands.Jobs.InterruptForeground()) return;
            uint room = Room;
            if (room == 0 || (room <= TerminatorRoom && !IsTerminator(b))) { s_dropped++; return; }
            s_buffer[s_tail & (Capacity - 1)] = b;
            s_tail++;
            if (b == 0x03) s_interrupts++;
            if (s_readers != null) Sys.Processes.Scheduler.WakeAll(s_readers);
        }

        // A key's whole sequence, or none of it (a half escape sequence would garble the line).
        public static void Put(string s)
        {
            if (!HasRoomFor(s.Length)) { s_dropped += (ulong)s.Length; return; }
            for (int i = 0; i < s.Length; i++) Put((byte)s[i]);
        }

        public static bool TryGet(out byte b)
        {
            using (Sys.Irq.Hold())
            {
                bool any = s_head != s_tail;
                b = any ? s_buffer[s_head & (Capacity - 1)] : (byte)0;
                if (any) s_head++;
                if (any && b == 0x03) s_interrupts--;
                if (Serial.Throttled && Room >= Capacity / 2) Serial.Resume();
                return any;
            }
        }

        // A Ctrl-C typed while PID 1 runs a built-in (no foreground to signal) waits in the ring
        // for the built-in to look: this drops what was typed up to and including the last one,
        // as a tty flushes its input on SIGINT. True when there was one.
        public static bool TakeInterrupt()
        {
            if (s_interrupts == 0) return false;
            using (Sys.Irq.Hold())
            {
                if (s_interrupts == 0) return false;
                while (s_interrupts > 0)
                {
                    if (s_buffer[s_head & (Capacity - 1)] == 0x03) s_interrupts--;
                    s_head++;
                }
                if (Serial.Throttled && Room >= Capacity / 2) Serial.Resume();
                return true;
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
