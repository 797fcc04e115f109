// VGA text mode (80x25 at physical 0xB8000) as a terminal: printable bytes, \r \n \b \t, and
// the few ANSI sequences the shell sends (ESC [ K, ESC [ 2 J, ESC [ H, ESC [ n C/D). Bytes
// >= 0x80 are shown as code page 437 glyphs. Under UEFI there is no text buffer; writes are
// harmless there and serial remains the console.
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static unsafe class Vga
    {
        private const int Width = 80, Height = 25;
        private const byte Attribute = 0x07;
        private static ushort* s_buffer;
        private static int s_row, s_column;
        private static int s_escape;      // 0 none, 1 after ESC, 2 inside CSI
        private static int s_parameter;

        public static void Initialize()
        {
            s_buffer = (ushort*)Layout.PhysToVirt(0xB8000);
            Clear();
        }

        public static void Clear()
        {
            if (s_buffer == null) return;
            for (int i = 0; i < Width * Height; i++) s_buffer[i] = (ushort)(Attribute << 8 | ' ');
            s_row = s_column = 0;
            UpdateCursor();
        }

        public static void Write(byte b)
        {
            if (s_buffer == null) return;
            if (s_escape == 1) { s_escape = b == '[' ? 2 : 0; s_parameter = 0; return; }
            if (s_escape == 2)
            {
                if (b >= '0' && b <= '9') { s_parameter = s_parameter * 10 + (b - '0'); return; }
                if (b == ';') return;
                s_escape = 0;
                Csi(b, s_parameter);
                UpdateCursor();
                return;
            }
            switch (b)
            {
                case 0x1B: s_escape = 1; return;
                case (byte)'\n': NewLine(); break;
                case (byte)'\r': s_column = 0; break;
                case 0x08: if (s_column > 0) s_column--; break;
                case (byte)'\t': do Put((byte)' '); while ((s_column & 7) != 0 && s_column < Width); break;
                default:
                    if (b < 0x20) return;
                    Put(b);
                    break;
            }
            UpdateCursor();
        }

        private static void Csi(byte command, int n)
        {
            if (n == 0) n = 1;
            switch (command)
            {
                case (byte)'K': for (int c = s_column; c < Width; c++) s_buffer[s_row * Width + c] = (ushort)(Attribute << 8 | ' '); break;
                case (byte)'J': Clear(); break;
                case (byte)'H': s_row = s_column = 0; break;
                case (byte)'C': s_column = s_column + n < Width ? s_column + n : Width - 1; break;
                case (byte)'D': s_column = s_column - n > 0 ? s_column - n : 0; break;
            }
        }

        private static void Put(byte b)
        {
            if (s_column >= Width) NewLine();
            s_buffer[s_row * Width + s_column] = (ushort)(Attribute << 8 | b);
            s_column++;
        }

        private static void NewLine()
        {
            s_column = 0;
            if (++s_row < Height) return;
            for (int i = 0; i < Width * (Height - 1); i++) s_buffer[i] = s_buffer[i + Width];
            for (int i = Width * (Height - 1); i < Width * Height; i++) s_buffer[i] = (ushort)(Attribute << 8 | ' ');
            s_row = Height - 1;
        }

        private static void UpdateCursor()
        {
            int position = s_row * Width + (s_column < Width ? s_column : Width - 1);
            Native.OutB(0x3D4, 0x0F);
            Native.OutB(0x3D5, (byte)position);
            Native.OutB(0x3D4, 0x0E);
            Native.OutB(0x3D5, (byte)(position >> 8));
        }
    }
}
