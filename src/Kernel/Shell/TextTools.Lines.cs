// wc, sort and uniq (the rest of TextTools; see TextTools.cs for the conventions): wc counts as
// busybox prints them, sort -n compares the number a line starts with and then, as busybox's last
// resort, the whole line in byte order; uniq -c counts as "%7d ". No state outside a call.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Shell
{
    public static partial class TextTools
    {
        // ---- wc ------------------------------------------------------------------------------

        public const string WcUsage = "wc [-l] [-w] [-c] [FILE]...";

        public struct Counts
        {
            public long Lines, Words, Bytes;
            internal bool InWord;

            public void Add(byte[] buffer, int count)
            {
                for (int i = 0; i < count; i++)
                {
                    byte b = buffer[i];
                    if (b == '\n') Lines++;
                    bool space = b == ' ' || b == '\n' || b == '\t' || b == '\r' || b == 0x0B || b == 0x0C;
                    if (!space && !InWord) Words++;
                    InWord = !space;
                }
                Bytes += count;
            }
        }

        public static int Wc(ToolIo io, string[] argv)
        {
            bool[] set = new bool[3];
            int first = Options(io, "wc", WcUsage, argv, "lwc", "", set, new string[0], false);
            if (first < 0) return 2;
            if (!set[0] && !set[1] && !set[2]) set[0] = set[1] = set[2] = true;
            int selected = (set[0] ? 1 : 0) + (set[1] ? 1 : 0) + (set[2] ? 1 : 0);
            bool named = first < argv.Length;
            string[] files = Operands(argv, first);
            Counts total = new Counts();
            int status = 0;
            byte[] buffer = new byte[4096];
            for (int f = 0; f < files.Length; f++)
            {
                Errno e = OpenInput(io, files[f], out ByteSource source, out bool owned);
                if (e != Errno.None)
                {
                    CantOpen(io, "wc", files[f], e);
                    status = 1;
                    continue;
                }
                Counts counts = new Counts();
                while (true)
                {
                    e = source.Read(buffer, 0, buffer.Length, out int read);
                    if (e != Errno.None || read == 0) break;
                    counts.Add(buffer, read);
                }
                if (owned) source.Close();
                if (e == Errno.EINTR) return Interrupted;
                if (e != Errno.None)
                {
                    ReadError(io, "wc", e);
                    status = 1;
                    continue;
                }
                io.Write(CountLine(counts, set, selected, named ? files[f] : null));
                total.Lines += counts.Lines;
                total.Words += counts.Words;
                total.Bytes += counts.Bytes;
            }
            if (files.Length > 1) io.Write(CountLine(total, set, selected, "total"));
            return status;
        }

        // busybox's format: one count alone unpadded, else each in 9 columns after the first's
        // "%9u", separated by a space; then " NAME" (nothing for standard input).
        public static string CountLine(Counts c, bool[] set, int selected, string name)
        {
            long[] values = { c.Lines, c.Words, c.Bytes };
            string line = "";
            bool first = true;
            for (int i = 0; i < 3; i++)
            {
                if (!set[i]) continue;
                string v = values[i].ToString();
                line = first ? (selected == 1 ? v : Numbers.PadLeft(v, 9)) : string.Concat(line, " ", Numbers.PadLeft(v, 9));
                first = false;
            }
            return string.Concat(line, name == null ? "" : string.Concat(" ", name), "\n");
        }

        // ---- sort ----------------------------------------------------------------------------

        public const string SortUsage = "sort [-n] [-r] [FILE]...";

        public static int Sort(ToolIo io, string[] argv)
        {
            bool[] set = new bool[2];
            int first = Options(io, "sort", SortUsage, argv, "nr", "", set, new string[0], false);
            if (first < 0) return 2;
            bool numeric = set[0], reverse = set[1];
            string[] files = Operands(argv, first);
            Vector<string> all = new Vector<string>(64);
            for (int f = 0; f < files.Length; f++)
            {
                Errno e = OpenInput(io, files[f], out ByteSource source, out bool owned);
                if (e != Errno.None)
                {
                    CantOpen(io, "sort", files[f], e);   // busybox stops here
                    return 1;
                }
                LineReader lines = new LineReader(source);
                while (lines.Next(out string line)) all.Add(line);
                if (owned) source.Close();
                if (lines.Error == Errno.EINTR) return Interrupted;
                if (lines.Error != Errno.None)
                {
                    ReadError(io, "sort", lines.Error);
                    return 1;
                }
            }
            string[] sorted = all.ToArray();
            SortLines(sorted, numeric, reverse);
            for (int i = 0; i < sorted.Length; i++) io.Write(string.Concat(sorted[i], "\n"));
            return 0;
        }

        public static void SortLines(string[] lines, bool numeric, bool reverse)
        {
            Order<string> order;
            if (numeric) order = reverse ? (Order<string>)((a, b) => CompareNumeric(b, a)) : CompareNumeric;
            else order = reverse ? (Order<string>)((a, b) => Sorting.CompareOrdinal(b, a)) : Sorting.Ordinal;
            Sorting.Sort(lines, order);
        }

        // sort -n: by the number at the start of the line (blanks, '-', digits, '.' digits;
        // none is 0), then, as busybox's last resort, by the whole line in byte order.
        public static int CompareNumeric(string a, string b)
        {
            NumberAt(a, out bool na, out int ia, out int la, out int fa, out int lfa);
            NumberAt(b, out bool nb, out int ib, out int lb, out int fb, out int lfb);
            bool zeroA = IsZero(a, ia, la, fa, lfa), zeroB = IsZero(b, ib, lb, fb, lfb);
            if (zeroA) na = false;
            if (zeroB) nb = false;
            int c;
            if (na != nb) c = na ? -1 : 1;
            else
            {
                c = CompareMagnitude(a, ia, la, fa, lfa, b, ib, lb, fb, lfb);
                if (na) c = -c;
            }
            return c != 0 ? c : Sorting.CompareOrdinal(a, b);
        }

        // The integer digits [intStart, intStart + intLength) without leading zeros, and the
        // fraction digits [fracStart, fracStart + fracLength).
        private static void NumberAt(string s, out bool negative, out int intStart, out int intLength, out int fracStart, out int fracLength)
        {
            int i = 0;
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t')) i++;
            negative = i < s.Length && s[i] == '-';
            if (negative) i++;
            while (i < s.Length && s[i] == '0') i++;
            intStart = i;
            while (i < s.Length && Numbers.IsDigit(s[i])) i++;
            intLength = i - intStart;
            fracStart = i;
            fracLength = 0;
            if (i < s.Length && s[i] == '.')
            {
                fracStart = ++i;
                while (i < s.Length && Numbers.IsDigit(s[i])) i++;
                fracLength = i - fracStart;
            }
        }

        private static bool IsZero(string s, int intStart, int intLength, int fracStart, int fracLength)
        {
            if (intLength > 0) return false;
            for (int i = 0; i < fracLength; i++) if (s[fracStart + i] != '0') return false;
            return true;
        }

        private static int CompareMagnitude(string a, int ia, int la, int fa, int lfa, string b, int ib, int lb, int fb, int lfb)
        {
            if (la != lb) return la < lb ? -1 : 1;
            for (int i = 0; i < la; i++)
                if (a[ia + i] != b[ib + i]) return a[ia + i] < b[ib + i] ? -1 : 1;
            int n = lfa > lfb ? lfa : lfb;
            for (int i = 0; i < n; i++)
            {
                char x = i < lfa ? a[fa + i] : '0', y = i < lfb ? b[fb + i] : '0';
                if (x != y) return x < y ? -1 : 1;
            }
            return 0;
        }

        // ---- uniq ----------------------------------------------------------------------------

        public const string UniqUsage = "uniq [-c] [FILE]";

        public static int Uniq(ToolIo io, string[] argv)
        {
            bool[] set = new bool[1];
            int first = Options(io, "uniq", UniqUsage, argv, "c", "", set, new string[0], false);
            if (first < 0) return 2;
            if (argv.Length - first > 1)
            {
                io.Error(string.Concat("uniq: extra operand '", argv[first + 1], "' (no OUTPUT file here)"));
                io.Error(string.Concat("usage: ", UniqUsage));
                return 2;
            }
            string path = first < argv.Length ? argv[first] : "-";
            Errno e = OpenInput(io, path, out ByteSource source, out bool owned);
            if (e != Errno.None)
            {
                CantOpen(io, "uniq", path, e);
                return 1;
            }
            LineReader lines = new LineReader(source);
            string previous = null;
            int repeats = 0;
            while (lines.Next(out string line))
            {
                if ((object)previous != null && line == previous)
                {
                    repeats++;
                    continue;
                }
                if ((object)previous != null) io.Write(UniqLine(previous, repeats, set[0]));
                previous = line;
                repeats = 1;
            }
            if ((object)previous != null) io.Write(UniqLine(previous, repeats, set[0]));
            if (owned) source.Close();
            if (lines.Error == Errno.EINTR) return Interrupted;
            if (lines.Error != Errno.None)
            {
                ReadError(io, "uniq", lines.Error);
                return 1;
            }
            return 0;
        }

        // uniq -c: "%7d %s".
        private static string UniqLine(string line, int count, bool counted) =>
            counted ? string.Concat(Numbers.PadLeft(count.ToString(), 7), " ", line, "\n") : string.Concat(line, "\n");
    }
}
