// Integer parsing and formatting for shell commands (the core library has neither).
// Parsing accepts exactly: an optional '-' (signed types only), then either decimal digits or,
// when allowHex is set, "0x"/"0X" and hex digits. No '+', no blanks, no trailing characters.
// A syntax error is Invalid even when the digits would also overflow; a well-formed number that
// does not fit is OutOfRange. On any failure the out value is 0. Formatting is lowercase hex.
namespace Kernel.Shell
{
    public enum ParseStatus { Ok, Invalid, OutOfRange }

    public static class Numbers
    {
        public static ParseStatus TryParseInt(string s, out int value) => TryParseInt(s, false, out value);

        public static ParseStatus TryParseInt(string s, bool allowHex, out int value)
        {
            value = 0;
            ParseStatus st = ParseMagnitude(s, true, allowHex, out bool negative, out ulong mag);
            if (st != ParseStatus.Ok) return st;
            if (negative ? mag > 0x80000000UL : mag > 0x7FFFFFFFUL) return ParseStatus.OutOfRange;
            value = negative ? (int)(0 - (long)mag) : (int)mag;
            return ParseStatus.Ok;
        }

        public static ParseStatus TryParseLong(string s, out long value) => TryParseLong(s, false, out value);

        public static ParseStatus TryParseLong(string s, bool allowHex, out long value)
        {
            value = 0;
            ParseStatus st = ParseMagnitude(s, true, allowHex, out bool negative, out ulong mag);
            if (st != ParseStatus.Ok) return st;
            if (negative ? mag > 0x8000000000000000UL : mag > 0x7FFFFFFFFFFFFFFFUL) return ParseStatus.OutOfRange;
            value = negative ? (long)(0UL - mag) : (long)mag;
            return ParseStatus.Ok;
        }

        public static ParseStatus TryParseUInt(string s, out uint value) => TryParseUInt(s, false, out value);

        public static ParseStatus TryParseUInt(string s, bool allowHex, out uint value)
        {
            value = 0;
            ParseStatus st = ParseMagnitude(s, false, allowHex, out bool negative, out ulong mag);
            if (st != ParseStatus.Ok) return st;
            if (mag > 0xFFFFFFFFUL) return ParseStatus.OutOfRange;
            value = (uint)mag;
            return ParseStatus.Ok;
        }

        public static ParseStatus TryParseULong(string s, out ulong value) => TryParseULong(s, false, out value);

        public static ParseStatus TryParseULong(string s, bool allowHex, out ulong value)
        {
            ParseStatus st = ParseMagnitude(s, false, allowHex, out bool negative, out value);
            if (st != ParseStatus.Ok) value = 0;
            return st;
        }

        // Sign and magnitude of s; OutOfRange when the magnitude exceeds 64 bits.
        private static ParseStatus ParseMagnitude(string s, bool signed, bool allowHex, out bool negative, out ulong mag)
        {
            negative = false;
            mag = 0;
            if ((object)s == null) return ParseStatus.Invalid;
            int i = 0, n = s.Length;
            if (signed && i < n && s[i] == '-')
            {
                negative = true;
                i++;
            }
            bool hex = false;
            if (allowHex && i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X'))
            {
                hex = true;
                i += 2;
            }
            if (i >= n) return ParseStatus.Invalid;
            bool overflow = false;
            ulong acc = 0;
            for (; i < n; i++)
            {
                int d = hex ? HexDigitValue(s[i]) : (IsDigit(s[i]) ? s[i] - '0' : -1);
                if (d < 0) return ParseStatus.Invalid;
                if (hex)
                {
                    if ((acc >> 60) != 0) overflow = true;
                    acc = (acc << 4) | (uint)d;
                }
                else
                {
                    if (acc > (0xFFFFFFFFFFFFFFFFUL - (ulong)d) / 10) overflow = true;
                    acc = acc * 10 + (ulong)d;
                }
            }
            if (overflow) return ParseStatus.OutOfRange;
            mag = acc;
            return ParseStatus.Ok;
        }

        public static bool IsDigit(char c) => c >= '0' && c <= '9';

        // 0..15 for a hex digit of either case, -1 otherwise.
        public static int HexDigitValue(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        // Lowercase hex, no prefix, zero-padded to digits (1..16); wider when the value needs it.
        public static string Hex(ulong value, int digits)
        {
            char[] buf = new char[16];
            int pos = 16;
            do
            {
                int d = (int)(value & 0xF);
                buf[--pos] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
                value >>= 4;
            } while (value != 0);
            if (digits > 16) digits = 16;
            while (16 - pos < digits) buf[--pos] = '0';
            return new string(buf, pos, 16 - pos);
        }

        public static string Hex(ulong value) => Hex(value, 1);

        public static string Decimal(ulong value) => value.ToString();

        public static string Decimal(long value) => value.ToString();

        public static string PadLeft(string s, int width) => PadLeft(s, width, ' ');

        public static string PadLeft(string s, int width, char pad)
        {
            if ((object)s == null) s = string.Empty;
            if (s.Length >= width) return s;
            return string.Concat(new string(pad, width - s.Length), s);
        }

        public static string PadRight(string s, int width) => PadRight(s, width, ' ');

        public static string PadRight(string s, int width, char pad)
        {
            if ((object)s == null) s = string.Empty;
            if (s.Length >= width) return s;
            return string.Concat(s, new string(pad, width - s.Length));
        }
    }
}
