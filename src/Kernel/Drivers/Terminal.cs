// /dev/console as a character device over the kernel's terminal: writes go to the console devices
// (serial and screen), whatever the task's redirection; reads wait for typed bytes and return them
// raw (no echo, no line editing) up to and including a newline, and Ctrl-D ends a read early — at
// the start of a read it is the end of file, as on a Linux terminal. Ctrl-C reaching a reader (a
// built-in such as cat, which no signal can stop) ends its read the same way.
using Kernel.Abi;
using Kernel.Vfs;

namespace Kernel.Drivers
{
    internal sealed class TerminalDevice : ConsoleDevice
    {
        private const byte EndOfFile = 0x04, Interrupt = 0x03;

        public override Errno Read(byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            while (read < count)
            {
                byte b = InputQueue.Get();
                if (b == EndOfFile || b == Interrupt) break;
                buffer[start + read++] = b == (byte)'\r' ? (byte)'\n' : b;
                if (b == '\n' || b == '\r') break;
            }
            return Errno.None;
        }

        public override Errno Write(byte[] buffer, int start, int count, out int written)
        {
            for (int i = 0; i < count; i++) Console.WriteDevice(buffer[start + i]);
            written = count;
            return Errno.None;
        }
    }
}
