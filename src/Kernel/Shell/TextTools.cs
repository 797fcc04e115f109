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
// No state outside a call. wc, sort and uniq are in TextTools.Lines.cs.
using Kernel.Abi;
using Kernel.Collections;

namespace Kernel.Shell
{
    public static partial class TextTools
    {
        private const int Interrupted = 130;   // a console read cut short by Ctrl-C

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

        public const string GrepUsage = "grep [-v] [-i] [-c] [-n] [-E] PATTERN [FILE]...";

        public static int Grep(ToolIo io, string[] argv)
        {
            bool[] set = new bool[5];
            int first = Options(io, "grep", GrepUsage, argv, "vicnE", "", set, new string[0], false);
            if (first < 0) return 2;
            bool invert = set[0], ignoreCase = set[1], count = set[2], numbers = set[3], extended = set[4];
            if (first >= argv.Length)
            {
                io.Error(string.Concat("usage: ", GrepUsage));
                return 2;
            }
            Bre bre = Bre.Compile(argv[first], ignoreCase, extended, out string why);
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
