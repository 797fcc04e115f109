// The text of the disk commands, hardware-free (host-tested): the POSIX cksum CRC, sizes as lsblk
// and busybox print them, dd's numbers with busybox's suffixes, and seconds with six decimals.
namespace Kernel.Shell
{
    // POSIX cksum: CRC-32 with polynomial 0x04C11DB7, most significant bit first, no reflection,
    // over the data and then the length (least significant byte first, only as many bytes as it
    // needs), complemented at the end.
    public static unsafe class PosixCrc
    {
        private static uint[] s_table;

        private static uint[] Table()
        {
            if (s_table != null) return s_table;
            uint[] t = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i << 24;
                for (int k = 0; k < 8; k++) c = (c & 0x80000000u) != 0 ? (c << 1) ^ 0x04C11DB7u : c << 1;
                t[i] = c;
            }
            s_table = t;
            return t;
        }

        public static uint Update(uint crc, byte[] data, int start, int count)
        {
            uint[] t = Table();
            for (int i = 0; i < count; i++) crc = (crc << 8) ^ t[(crc >> 24) ^ data[start + i]];
            return crc;
        }

        public static uint Finish(uint crc, ulong length)
        {
            uint[] t = Table();
            for (; length != 0; length >>= 8) crc = (crc << 8) ^ t[(crc >> 24) ^ (byte)length];
            return ~crc;
        }
    }

    public static class DiskText
    {
        // lsblk's SIZE (util-linux size_to_human_string, one-letter suffix): 512B, 16M, 1.5G.
        public static string LsblkSize(ulong bytes)
        {
            const string letters = "BKMGTPE";
            int exp = 0;
            for (int n = 10; n <= 60; n += 10)
            {
                if (bytes < (1UL << n)) break;
                exp = n;
            }
            ulong whole = exp == 0 ? bytes : bytes >> exp;
            ulong frac = exp == 0 ? 0 : bytes & ((1UL << exp) - 1);
            if (frac != 0)
            {
                // three digits of the fraction, rounded to one
                frac = frac >= ulong.MaxValue / 1000 ? (frac >> 10) * 1000 / (1UL << (exp - 10)) : frac * 1000 / (1UL << exp);
                frac = (frac + 50) / 100;
                if (frac == 10) { whole++; frac = 0; }
            }
            string suffix = letters.Substring(exp / 10, 1);
            if (frac != 0) return string.Concat(whole.ToString(), ".", frac.ToString(), suffix);
            return string.Concat(whole.ToString(), suffix);
        }

        // busybox's make_human_readable_str(value, 1, 0): "0", "512", "400.0K", "31.6M" (dd adds
        // the "B").
        public static string BusyboxHuman(ulong value)
        {
            if (value == 0) return "0";
            const string units = "KMGTPE";
            int unit = -1;
            ulong frac = 0;
            while (value >= 1024)
            {
                unit++;
                frac = ((value % 1024) * 10 + 512) / 1024;
                value /= 1024;
            }
            if (frac >= 10)
            {
                value++;
                frac = 0;
            }
            if (unit < 0) return value.ToString();
            return string.Concat(value.ToString(), ".", frac.ToString(), units.Substring(unit, 1));
        }

        // dd's numbers: decimal digits and an optional suffix c (1), w (2), b (512), kB/kD (1000),
        // k/K (1024), MB/MD (10^6), M (2^20), GB/GD (10^9), G (2^30), as busybox takes them. False
        // for anything else (a sign, spaces, hex, overflow).
        public static bool TryParseDdNumber(string s, out ulong value)
        {
            value = 0;
            if (s == null || s.Length == 0) return false;
            int i = 0;
            ulong n = 0;
            while (i < s.Length && s[i] >= '0' && s[i] <= '9')
            {
                ulong d = (ulong)(s[i] - '0');
                if (n > (ulong.MaxValue - d) / 10) return false;
                n = n * 10 + d;
                i++;
            }
            if (i == 0) return false;
            string suffix = s.Substring(i);
            ulong scale;
            if (suffix.Length == 0) scale = 1;
            else if (suffix == "c") scale = 1;
            else if (suffix == "w") scale = 2;
            else if (suffix == "b") scale = 512;
            else if (suffix == "kB" || suffix == "kD") scale = 1000;
            else if (suffix == "k" || suffix == "K") scale = 1024;
            else if (suffix == "MB" || suffix == "MD") scale = 1000000;
            else if (suffix == "M") scale = 1UL << 20;
            else if (suffix == "GB" || suffix == "GD") scale = 1000000000;
            else if (suffix == "G") scale = 1UL << 30;
            else return false;
            if (n != 0 && scale > ulong.MaxValue / n) return false;
            value = n * scale;
            return true;
        }

        // "0.012345": microseconds as seconds with six decimals (printf's %f).
        public static string Seconds(ulong micros)
        {
            string fraction = (micros % 1000000).ToString();
            while (fraction.Length < 6) fraction = string.Concat("0", fraction);
            return string.Concat((micros / 1000000).ToString(), ".", fraction);
        }

        // "12.34": a ratio of two figures with two decimals (for the benchmarks).
        public static string Ratio(ulong numerator, ulong denominator)
        {
            if (denominator == 0) return "n/a";
            ulong hundredths = (numerator * 100 + denominator / 2) / denominator;
            string cents = (hundredths % 100).ToString();
            if (cents.Length < 2) cents = string.Concat("0", cents);
            return string.Concat((hundredths / 100).ToString(), ".", cents);
        }
    }
}
