// The kernel console: every byte goes to COM1 and to the VGA screen. "\n" is sent to serial as
// CR LF. The Write* helpers format numbers without allocating, so the panic path can use them.
// When the running task's output is redirected to a file or a pipe (Process.Stdout, and
// Process.Stderr for Error), what task code writes goes there instead; interrupt handlers and the
// panic screen always reach the devices. A write into a pipe nobody reads any more is the
// writer's SIGPIPE (it ends with status 141 at once, silently).
namespace Kernel.Drivers
{
    internal static unsafe class Console
    {
        public static void Write(byte b)
        {
            if (Sys.ProcessesStarted && !Arch.Interrupts.InHandler && !Panic.InProgress)
            {
                Proc.Process current = Sys.Processes.Current;
                Fs.FileOutput output = current == null ? null : current.Stdout;
                if (output != null)
                {
                    output.Put(b);
                    if (output.Error == Errno.EPIPE) BrokenPipe(current);
                    return;
                }
            }
            WriteDevice(b);
        }

        // To COM1 and the screen, whatever the task's redirection (error messages, the kernel's own).
        public static void WriteDevice(byte b)
        {
            if (b == '\n') Serial.Write((byte)'\r');
            Serial.Write(b);
            Vga.Write(b);
        }

        public static void Write(char c) => Write((byte)c);

        public static void Write(string s)
        {
            if (s == null) return;
            for (int i = 0; i < s.Length; i++) Write((byte)s[i]);
        }

        public static void WriteLine(string s) { Write(s); Write((byte)'\n'); }

        // The running task's standard error (the console unless 2> or 2>&1 sent it elsewhere):
        // one line, written out at once.
        public static void Error(string s)
        {
            if (s == null) return;
            if (Sys.ProcessesStarted && !Arch.Interrupts.InHandler && !Panic.InProgress)
            {
                Proc.Process current = Sys.Processes.Current;
                Fs.FileOutput output = current == null ? null : current.Stderr;
                if (output != null)
                {
                    for (int i = 0; i < s.Length; i++) output.Put((byte)s[i]);
                    output.Put((byte)'\n');
                    output.Flush();
                    if (output.Error == Errno.EPIPE) BrokenPipe(current);
                    return;
                }
            }
            for (int i = 0; i < s.Length; i++) WriteDevice((byte)s[i]);
            WriteDevice((byte)'\n');
        }

        // The task wrote into a pipe without readers: SIGPIPE, taking effect now (or at the end
        // of an unkillable stretch). PID 1 cannot be signalled (it never writes into pipes).
        private static void BrokenPipe(Proc.Process current)
        {
            if (current == Sys.Processes.Init) return;
            Sys.Processes.Kill(current.Pid, Sched.Signals.SIGPIPE);
            Sys.Processes.Yield();
        }

        public static void Write(byte* s, int length)
        {
            for (int i = 0; i < length; i++) Write(s[i]);
        }

        public static void WriteHex(ulong value, int digits = 16)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                int d = (int)((value >> shift) & 0xF);
                Write((byte)(d < 10 ? '0' + d : 'a' + d - 10));
            }
        }

        public static void WriteDecimal(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do { digits[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
            while (n > 0) Write(digits[--n]);
        }

        public static void Clear()
        {
            Serial.Write(0x1B); Serial.Write((byte)'['); Serial.Write((byte)'2'); Serial.Write((byte)'J');
            Serial.Write(0x1B); Serial.Write((byte)'['); Serial.Write((byte)'H');
            Vga.Clear();
        }
    }
}
