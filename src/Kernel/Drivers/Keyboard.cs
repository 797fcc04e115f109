// PS/2 keyboard, scan code set 1 (what the controller's translation delivers), US layout.
// Key presses become the bytes a serial terminal would send: ASCII, Ctrl+letter as 0x01-0x1A,
// Backspace 0x7F, Enter CR, and ANSI sequences for the arrows, Home, End and Delete. Interrupt
// context: no allocation (the tables are string literals, which live in the image).
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static class Keyboard
    {
        private const string Plain   = "\0\x1b" + "1234567890-=\x7f\tqwertyuiop[]\r\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 ";
        private const string Shifted = "\0\x1b" + "!@#$%^&*()_+\x7f\tQWERTYUIOP{}\r\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 ";
        private static bool s_shift, s_control, s_capsLock, s_extended;

        public static void Initialize()
        {
            while ((Native.InB(0x64) & 1) != 0) Native.InB(0x60); // drain
            Pic.Unmask(1);
        }

        public static void HandleInterrupt()
        {
            byte code = Native.InB(0x60);
            if (code == 0xE0) { s_extended = true; return; }
            bool release = (code & 0x80) != 0;
            code &= 0x7F;
            bool extended = s_extended;
            s_extended = false;

            if (code == 0x2A || code == 0x36) { s_shift = !release; return; }
            if (code == 0x1D) { s_control = !release; return; }
            if (release) return;
            if (code == 0x3A) { s_capsLock = !s_capsLock; return; }

            if (extended)
            {
                switch (code)
                {
                    case 0x48: InputQueue.Put("\x1b[A"); break;
                    case 0x50: InputQueue.Put("\x1b[B"); break;
                    case 0x4D: InputQueue.Put("\x1b[C"); break;
                    case 0x4B: InputQueue.Put("\x1b[D"); break;
                    case 0x47: InputQueue.Put("\x1b[H"); break;
                    case 0x4F: InputQueue.Put("\x1b[F"); break;
                    case 0x53: InputQueue.Put("\x1b[3~"); break;
                    case 0x1C: InputQueue.Put((byte)'\r'); break;
                    case 0x35: InputQueue.Put((byte)'/'); break;
                }
                return;
            }
            if (code >= Plain.Length) return;
            char c = s_shift ? Shifted[code] : Plain[code];
            if (c == 0) return;
            bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (letter && s_capsLock) c = (char)(c ^ 0x20);
            if (s_control && letter) c = (char)(c & 0x1F);
            InputQueue.Put((byte)c);
        }
    }
}
