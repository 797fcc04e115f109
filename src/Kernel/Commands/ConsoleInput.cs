// Standard input from the console, for a task whose stdin is not redirected (`grep x` typed
// alone): a line at a time, as a terminal in canonical mode gives it — typed bytes are echoed,
// Backspace erases, Enter ends the line (CR becomes '\n'), Ctrl-D on an empty line is the end of
// file (elsewhere it ends the read without a newline), Ctrl-C is EINTR (a foreground process never
// sees it: the shell turns it into SIGINT first; PID 1 running a built-in gets it here).
// One console, so one line buffer: the reader is whoever is in the foreground (background jobs
// read an empty stdin). A line belongs to the task that typed it in (s_owner): a reader killed
// half-way through a line leaves nothing to the next one. Invariants: 0 <= s_position <=
// s_length <= Capacity.
using Kernel.Drivers;

namespace Kernel.Commands
{
    internal static class ConsoleInput
    {
        private const int Capacity = 1024;
        private const byte EndOfFile = 0x04, Interrupt = 0x03, Backspace = 0x08, Delete = 0x7F;
        private static readonly byte[] s_line = new byte[Capacity];
        private static int s_length, s_position;
        private static int s_owner;   // the PID whose line is in s_line

        public static Errno Read(byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (count == 0) return Errno.None;
            int self = Sys.Processes.Current.Pid;
            if (s_position == s_length || s_owner != self)
            {
                s_position = s_length = 0;
                s_owner = self;
                Errno e = ReadLine();
                if (e != Errno.None) return e;
            }
            while (read < count && s_position < s_length) buffer[start + read++] = s_line[s_position++];
            return Errno.None;
        }

        // A Ctrl-C waiting for PID 1's built-in (InputQueue.TakeInterrupt), echoed as a read
        // would echo it; the half-typed line goes with it.
        public static bool TakeInterrupt()
        {
            if (!InputQueue.TakeInterrupt()) return false;
            Console.WriteDevice((byte)'^');
            Console.WriteDevice((byte)'C');
            Console.WriteDevice((byte)'\n');
            s_position = s_length = 0;
            return true;
        }

        private static Errno ReadLine()
        {
            while (true)
            {
                byte b = InputQueue.Get();
                if (b == Interrupt)
                {
                    Console.WriteDevice((byte)'^');
                    Console.WriteDevice((byte)'C');
                    Console.WriteDevice((byte)'\n');
                    s_length = 0;
                    return Errno.EINTR;
                }
                if (b == EndOfFile) return Errno.None;   // what is typed so far (nothing: the end)
                if (b == Backspace || b == Delete)
                {
                    if (s_length == 0) continue;
                    s_length--;
                    Console.WriteDevice(Backspace);
                    Console.WriteDevice((byte)' ');
                    Console.WriteDevice(Backspace);
                    continue;
                }
                if (b == '\r' || b == '\n')
                {
                    Console.WriteDevice((byte)'\n');
                    s_line[s_length++] = (byte)'\n';
                    return Errno.None;
                }
                if (b < 0x20 && b != '\t') continue;   // other control bytes (escape sequences) are dropped
                if (s_length == Capacity - 1) continue;  // room for the newline
                s_line[s_length++] = b;
                Console.WriteDevice(b);
            }
        }
    }
}
