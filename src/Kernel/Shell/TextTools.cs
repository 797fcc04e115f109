// The everyday text tools, as busybox has them (options, output formats, messages, exit
// statuses), over ToolIo so that the same code runs in the kernel and in host tests:
//   cat [FILE]...                     grep [-v] [-i] [-c] [-n] PATTERN [FILE]...
//   head [-n N] [FILE]...             tail [-n [+]N] [FILE]...      (also head -N, tail -N)
//   wc [-l] [-w] [-c] [FILE]...       sort [-n] [-r] [FILE]...
//   uniq [-c] [FILE]                  tee [-a] [FILE]...
// Each reads its standard input when no file is given (or for "-"), so that it works in a
// pipeline. File errors are busybox's (`head: can't open 'x': No such file or directory`,
// `grep: x: No such file or directory`); an unknown option is `TOOL: invalid option -- 'x'`
// and the usage line. Exit statuses: 0, 1 when a file failed (grep: 1 no line selected, 2 an
// error), 2 for bad usage, 130 when a console read was interrupted (Ctrl-C, nothing more printed).
// No state outside a call.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Shell
{
    public static class TextTools
    {
        private const int Interrupted = 130;

        // ---- Options -------------------------------------------------------------------------

        // Leading options: single-letter flags from `flags` (combinable: -vn), and for `valued`
        // letters a value (-n 5, -n5). Stops at "--", "-" or the first operand. Returns the index
        // of the first operand, or -1 after reporting a bad option (usage printed).
        private static int Options(ToolIo io, string tool, string usage, string[] argv, string flags, string valued,
            bool[] set, string[] values, bool numericShorthand)
        {
            int i = 1;
            for (; i < argv.Length; i++)
            {
                string a = argv[i];
                if (a == "--") return i + 1;
                if (a.Length < 2 || a[0] != '-') return i;
                if (numericShorthand && Numbers.IsDigit(a[1]))
                {
                    // head -3, tail -3: the old spelling of -n 3.
                    values[valued.IndexOf('n')] = a.Substring(1);
                    continue;
                }
                for (int j = 1; j < a.Length; j++)
                {
                    char c = a[j];
                    int f = flags.IndexOf(c);
                    if (f >= 0)
                    {
                        set[f] = true;
                        continue;
                    }
                    int v = valued.IndexOf(c);
                    if (v >= 0)
                    {
                        if (j + 1 < a.Length) values[v] = a.Substring(j + 1);
                        else if (i + 1 < argv.Length) values[v] = argv[++i];
                        else
                        {
                            io.Error(string.Concat(tool, ": option requires an argument -- '", new string(c, 1), "'"));
                            io.Error(string.Concat("usage: ", usage));
                            return -1;
                        }
                        break;
                    }
                    io.Error(string.Concat(tool, ": invalid option -- '", new string(c, 1), "'"));
                    io.Error(string.Concat("usage: ", usage));
                    return -1;
                }
            }
            return i;
        }

        // The operands, or { "-" } (standard input) when there are none.
        private static string[] Operands(string[] argv, int first)
        {
            if (first >= argv.Length) return new string[] { "-" };
            string[] files = new string[argv.Length - first];
            for (int i = first; i < argv.Length; i++) files[i - first] = argv[i];
            return files;
        }

        private static Errno OpenInput(ToolIo io, string path, out ByteSource source, out bool owned)
        {
            owned = path != "-";
            if (!owned)
            {
                source = io.Stdin;
                return Errno.None;
            }
            return io.Open(path, out source);
        }

        // busybox's "can't open 'F': reason".
        private static void CantOpen(ToolIo io, string tool, string path, Errno e) =>
            io.Error(string.Concat(tool, ": can't open '", path, "': ", ErrnoText.Message(e)));

        // A read error other than an interruption: "TOOL: read error: reason".
        private static void ReadError(ToolIo io, string tool, Errno e) =>
            io.Error(string.Concat(tool, ": read error: ", ErrnoText.Message(e)));

        private static bool TryCount(string text, out int n) =>
            Numbers.TryParseInt(text, out n) == ParseStatus.Ok && n >= 0;

        // ---- cat -----------------------------------------------------------------------------

        public static int Cat(ToolIo io, string[] argv)
        {
            int first = argv.Length > 1 && argv[1] == "--" ? 2 : 1;
            string[] files = Operands(argv, first);
            int status = 0;
            byte[] buffer = new byte[4096];
            char[] text = new char[4096];
            for (int f = 0; f < files.Length; f++)
            {
                Errno e = OpenInput(io, files[f], out ByteSource source, out bool owned);
                if (e != Errno.None)
                {
                    CantOpen(io, "cat", files[f], e);
                    status = 1;
                    continue;
                }
                while (true)
                {
                    e = source.Read(buffer, 0, buffer.Length, out int read);
                    if (e == Errno.EINTR) { if (owned) source.Close(); return Interrupted; }
                    if (e != Errno.None)
                    {
                        ReadError(io, "cat", e);
                        status = 1;
                        break;
                    }
                    if (read == 0) break;
                    for (int k = 0; k < read; k++) text[k] = (char)buffer[k];
                    io.Write(new string(text, 0, read));
                }
                if (owned) source.Close();
            }
            return status;
        }

        // ---- grep ----------------------------------------------------------------------------

        public const string GrepUsage = "grep [-v] [-i] [-c] [-n] PATTERN [FILE]...";

        public static int Grep(ToolIo io, string[] argv)
        {
            bool[] set = new bool[4];
            int first = Options(io, "grep", GrepUsage, argv, "vicn", "", set, new string[0], false);
            if (first < 0) return 2;
            bool invert = set[0], ignoreCase = set[1], count = set[2], numbers = set[3];
            if (first >= argv.Length)
            {
                io.Error(string.Concat("usage: ", GrepUsage));
                return 2;
            }
            Bre bre = Bre.Compile(argv[first], ignoreCase, out string why);
            if (bre == null)
            {
                io.Error(string.Concat("grep: bad regex '", argv[first], "': ", why));
                return 2;
            }
            string[] files = Operands(argv, first + 1);
            bool prefix = files.Length > 1;
            bool matched = false, failed = false;
            for (int f = 0; f < files.Length; f++)
            {
                string name = files[f] == "-" ? "(standard input)" : files[f];
                Errno e = OpenInput(io, files[f], out ByteSource source, out bool owned);
                if (e != Errno.None)
                {
                    io.Error(string.Concat("grep: ", files[f], ": ", ErrnoText.Message(e)));
                    failed = true;
                    continue;
                }
                LineReader lines = new LineReader(source);
                int selected = 0, number = 0;
                while (lines.Next(out string line))
                {
                    number++;
                    if (bre.IsMatch(line) == invert) continue;
                    selected++;
                    if (count) continue;
                    string shown = numbers ? string.Concat(number.ToString(), ":", line) : line;
                    io.Write(string.Concat(prefix ? string.Concat(name, ":") : "", shown, "\n"));
                }
                if (owned) source.Close();
                if (lines.Error == Errno.EINTR) return Interrupted;
                if (lines.Error != Errno.None)
                {
                    io.Error(string.Concat("grep: ", name, ": ", ErrnoText.Message(lines.Error)));
                    failed = true;
                }
                if (count) io.Write(string.Concat(prefix ? string.Concat(name, ":") : "", selected.ToString(), "\n"));
                if (selected > 0) matched = true;
            }
            return failed ? 2 : matched ? 0 : 1;
        }

        // ---- head and tail -------------------------------------------------------------------

        public const string HeadUsage = "head [-n N] [FILE]...";
        public const string TailUsage = "tail [-n [+]N] [FILE]...";

        public static int Head(ToolIo io, string[] argv) => HeadOrTail(io, argv, false);
        public static int Tail(ToolIo io, string[] argv) => HeadOrTail(io, argv, true);

        private static int HeadOrTail(ToolIo io, string[] argv, bool tail)
        {
            string tool = tail ? "tail" : "head";
            string[] values = new string[1];
            int first = Options(io, tool, tail ? TailUsage : HeadUsage, argv, "", "n", new bool[0], values, true);
            if (first < 0) return 2;
            int n = 10;
            bool fromStart = false;   // tail -n +N: from line N on
            if (values[0] != null)
            {
                string text = values[0];
                if (tail && text.Length > 1 && text[0] == '+')
                {
                    fromStart = true;
                    text = text.Substring(1);
                }
                if (!TryCount(text, out n))
                {
                    io.Error(string.Concat(tool, ": invalid number '", values[0], "'"));
                    return 1;
                }
            }
            string[] files = Operands(argv, first);
            int status = 0;
            for (int f = 0; f < files.Length; f++)
            {
                Errno e = OpenInput(io, files[f], out ByteSource source, out bool owned);
                if (e != Errno.None)
                {
                    CantOpen(io, tool, files[f], e);
                    status = 1;
                    continue;
                }
                if (files.Length > 1)
                    io.Write(string.Concat(f == 0 ? "" : "\n", "==> ", files[f] == "-" ? "standard input" : files[f], " <==\n"));
                LineReader lines = new LineReader(source);
                if (!tail) HeadLines(io, lines, n);
                else if (fromStart) TailFrom(io, lines, n);
                else TailLast(io, lines, n);
                if (owned) source.Close();
                if (lines.Error == Errno.EINTR) return Interrupted;
                if (lines.Error != Errno.None)
                {
                    ReadError(io, tool, lines.Error);
                    status = 1;
                }
            }
            return status;
        }

        private static void Emit(ToolIo io, string line, bool terminated) => io.Write(terminated ? string.Concat(line, "\n") : line);

        // The first n lines; it reads no further than it must (head -n 0 reads nothing).
        private static void HeadLines(ToolIo io, LineReader lines, int n)
        {
            for (int k = 0; k < n && lines.Next(out string line); k++) Emit(io, line, lines.Terminated);
        }

        private static void TailFrom(ToolIo io, LineReader lines, int start)
        {
            int number = 0;
            while (lines.Next(out string line))
                if (++number >= start) Emit(io, line, lines.Terminated);
        }

        // The last n lines, kept in a ring that grows up to n.
        private static void TailLast(ToolIo io, LineReader lines, int n)
        {
            if (n == 0)
            {
                while (lines.Next(out string _)) { }
                return;
            }
            string[] ring = new string[n < 64 ? n : 64];
            int start = 0, count = 0;
            bool lastTerminated = true;
            while (lines.Next(out string line))
            {
                lastTerminated = lines.Terminated;
                if (count < ring.Length)
                {
                    ring[(start + count) % ring.Length] = line;
                    count++;
                    continue;
                }
                if (ring.Length < n)
                {
                    string[] bigger = new string[ring.Length * 2 < n ? ring.Length * 2 : n];
                    for (int k = 0; k < count; k++) bigger[k] = ring[(start + k) % ring.Length];
                    ring = bigger;
                    start = 0;
                    ring[count++] = line;
                    continue;
                }
                ring[start] = line;
                start = (start + 1) % ring.Length;
            }
            for (int k = 0; k < count; k++) Emit(io, ring[(start + k) % ring.Length], k < count - 1 || lastTerminated);
        }

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

        // ---- tee -----------------------------------------------------------------------------

        public const string TeeUsage = "tee [-a] [FILE]...";

        public static int Tee(ToolIo io, string[] argv)
        {
            bool[] set = new bool[1];
            int first = Options(io, "tee", TeeUsage, argv, "a", "", set, new string[0], false);
            if (first < 0) return 2;
            int status = 0;
            Vector<ByteSink> sinks = new Vector<ByteSink>(2);
            Vector<string> names = new Vector<string>(2);
            for (int i = first; i < argv.Length; i++)
            {
                Errno e = io.Create(argv[i], set[0], out ByteSink sink);
                if (e != Errno.None)
                {
                    io.Error(string.Concat("tee: ", argv[i], ": ", ErrnoText.Message(e)));
                    status = 1;
                    continue;
                }
                sinks.Add(sink);
                names.Add(argv[i]);
            }
            byte[] buffer = new byte[4096];
            char[] text = new char[4096];
            bool interrupted = false;
            while (true)
            {
                Errno e = io.Stdin.Read(buffer, 0, buffer.Length, out int read);
                if (e == Errno.EINTR) { interrupted = true; break; }
                if (e != Errno.None)
                {
                    ReadError(io, "tee", e);
                    status = 1;
                    break;
                }
                if (read == 0) break;
                for (int k = 0; k < read; k++) text[k] = (char)buffer[k];
                io.Write(new string(text, 0, read));
                for (int s = 0; s < sinks.Count; s++)
                    if (sinks[s] != null && sinks[s].Write(buffer, 0, read) != Errno.None)
                    {
                        io.Error(string.Concat("tee: ", names[s], ": write error"));
                        sinks[s].Close();
                        sinks[s] = null;
                        status = 1;
                    }
            }
            for (int s = 0; s < sinks.Count; s++)
            {
                if (sinks[s] == null) continue;
                Errno e = sinks[s].Close();
                if (e != Errno.None)
                {
                    io.Error(string.Concat("tee: ", names[s], ": ", ErrnoText.Message(e)));
                    status = 1;
                }
            }
            return interrupted ? Interrupted : status;
        }
    }
}
