using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Kernel.Abi;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    // Files as byte arrays, a standard input, and what the tool printed on each stream.
    internal sealed class FakeIo : ToolIo
    {
        public readonly Dictionary<string, byte[]> Files = new();
        public readonly StringBuilder Out = new(), Err = new();
        private readonly ByteSource _stdin;
        public int Opened, Closed;

        public FakeIo(string stdin = "", int chunk = 7, Errno stdinError = Errno.None)
        {
            _stdin = new Source(this, Encoding.Latin1.GetBytes(stdin), chunk, stdinError);
        }

        public FakeIo File(string name, string content)
        {
            Files[name] = Encoding.Latin1.GetBytes(content);
            return this;
        }

        private sealed class Source(FakeIo io, byte[] data, int chunk, Errno endError) : ByteSource
        {
            private int _at;
            public override Errno Read(byte[] buffer, int start, int count, out int read)
            {
                read = Math.Min(Math.Min(count, chunk), data.Length - _at);
                Array.Copy(data, _at, buffer, start, read);
                _at += read;
                return read == 0 && endError != Errno.None ? endError : Errno.None;
            }
            public override void Close() => io.Closed++;
        }

        private sealed class Sink(FakeIo io, string name) : ByteSink
        {
            public override Errno Write(byte[] buffer, int start, int count)
            {
                io.Files[name] = io.Files[name].Concat(buffer.Skip(start).Take(count)).ToArray();
                return Errno.None;
            }
            public override Errno Close() => Errno.None;
        }

        public override Errno Open(string path, out ByteSource source)
        {
            source = null;
            if (path.EndsWith('/')) return Errno.EISDIR;
            if (!Files.TryGetValue(path, out byte[] data)) return Errno.ENOENT;
            Opened++;
            source = new Source(this, data, 5, Errno.None);
            return Errno.None;
        }

        public override Errno Create(string path, bool append, out ByteSink sink)
        {
            sink = null;
            if (path.StartsWith("/ro/")) return Errno.EACCES;
            if (!append || !Files.ContainsKey(path)) Files[path] = Array.Empty<byte>();
            sink = new Sink(this, path);
            return Errno.None;
        }

        public override ByteSource Stdin => _stdin;
        public override void Write(string text) => Out.Append(text);
        public override void Error(string line) => Err.Append(line).Append('\n');
    }

    public class TextToolsTests
    {
        private static (int Status, string Out, string Err) Run(Func<ToolIo, string[], int> tool, FakeIo io, string line)
        {
            int status = tool(io, line.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(io.Opened, io.Closed);   // every file opened is closed (stdin is not)
            return (status, io.Out.ToString(), io.Err.ToString());
        }

        private const string Ps = "  PID  PPID STAT COMMAND\n    1     0 R    sh\n   12     1 R    memhog 100 1000\n   13     1 S    grep memhog\n";

        [Fact]
        public void Grep_selects_lines_from_stdin_or_files()
        {
            Assert.Equal((0, "   12     1 R    memhog 100 1000\n   13     1 S    grep memhog\n", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep memhog"));
            Assert.Equal((1, "", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep nothing"));
            Assert.Equal((0, "2\n", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep -c memhog"));
            Assert.Equal((1, "0\n", ""), Run(TextTools.Grep, new FakeIo(""), "grep -c x"));
            Assert.Equal((0, "3:   12     1 R    memhog 100 1000\n", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep -n ^...12"));
            Assert.Equal((0, "  PID  PPID STAT COMMAND\n    1     0 R    sh\n", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep -v memhog"));
            Assert.Equal((0, "  PID  PPID STAT COMMAND\n    1     0 R    sh\n", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep -vi MEMHOG"));
            Assert.Equal((0, "a:x1\nb:x2\n", ""), Run(TextTools.Grep, new FakeIo().File("a", "x1\ny\n").File("b", "x2"), "grep x a b"));
            Assert.Equal((0, "a:1\nb:1\n", ""), Run(TextTools.Grep, new FakeIo().File("a", "x1\ny\n").File("b", "x2"), "grep -c x a b"));
            Assert.Equal((0, "a:1:x1\n", ""), Run(TextTools.Grep, new FakeIo().File("a", "x1\ny\n").File("b", "q"), "grep -n x a b"));
        }

        [Fact]
        public void Grep_errors_in_busybox_words()
        {
            Assert.Equal((2, "", "grep: nope: No such file or directory\n"), Run(TextTools.Grep, new FakeIo(), "grep x nope"));
            Assert.Equal((2, "a:x\n", "grep: nope: No such file or directory\n"), Run(TextTools.Grep, new FakeIo().File("a", "x\n"), "grep x a nope"));
            Assert.Equal((2, "", "grep: invalid option -- 'q'\nusage: " + TextTools.GrepUsage + "\n"), Run(TextTools.Grep, new FakeIo(), "grep -q x"));
            Assert.Equal((2, "", "usage: " + TextTools.GrepUsage + "\n"), Run(TextTools.Grep, new FakeIo(), "grep"));
            Assert.StartsWith("grep: bad regex 'a\\(b': ", Run(TextTools.Grep, new FakeIo(), "grep a\\(b").Err);
            Assert.StartsWith("grep: bad regex '[ab': brackets", Run(TextTools.Grep, new FakeIo(), "grep [ab").Err);
        }

        [Fact]
        public void Grep_ignores_case_with_i()
        {
            Assert.Equal((0, "Memhog\nMEMHOG\n", ""), Run(TextTools.Grep, new FakeIo("Memhog\nMEMHOG\nsh\n"), "grep -i memhog"));
            Assert.Equal((0, "Memhog\nMEMHOG\n", ""), Run(TextTools.Grep, new FakeIo("Memhog\nMEMHOG\nsh\n"), "grep -i [m]EMHOG"));
            Assert.Equal((0, "sh\n", ""), Run(TextTools.Grep, new FakeIo("Memhog\nMEMHOG\nsh\n"), "grep -iv m"));
        }

        [Theory]
        [InlineData("abc", "xabcx", true)]
        [InlineData("abc", "ab", false)]
        [InlineData("^abc", "abcd", true)]
        [InlineData("^abc", "xabc", false)]
        [InlineData("abc$", "xabc", true)]
        [InlineData("abc$", "abcx", false)]
        [InlineData("^$", "", true)]
        [InlineData("^$", "x", false)]
        [InlineData("a.c", "abc", true)]
        [InlineData("a.c", "ac", false)]
        [InlineData("ab*c", "ac", true)]
        [InlineData("ab*c", "abbbc", true)]
        [InlineData("ab*c", "adc", false)]
        [InlineData("*a", "x*a", true)]          // a leading * is literal
        [InlineData("^*a", "*a", true)]
        [InlineData("^*a", "a", false)]
        [InlineData("a\\.b", "a.b", true)]
        [InlineData("a\\.b", "axb", false)]
        [InlineData("[0-9][0-9]*", "pid 42", true)]
        [InlineData("[^0-9]", "123", false)]
        [InlineData("[]x]", "]", true)]
        [InlineData("[^]x]", "]", false)]
        [InlineData("a$b", "a$b", true)]          // $ not at the end is literal
        [InlineData("a^b", "a^b", true)]
        [InlineData(".*", "", true)]
        [InlineData("x*", "abc", true)]
        [InlineData("a+", "a+", true)]           // + and ? are literals in a BRE
        [InlineData("a?", "a", false)]
        public void Bre_matches(string pattern, string line, bool expected)
        {
            Bre bre = Bre.Compile(pattern, false, out string error);
            Assert.Null(error);
            Assert.Equal(expected, bre.IsMatch(line));
        }

        [Theory]
        [InlineData("\\(a\\)")]
        [InlineData("a\\{2\\}")]
        [InlineData("a\\|b")]
        [InlineData("\\1")]
        [InlineData("[[:digit:]]")]
        [InlineData("[abc")]
        [InlineData("[z-a]")]
        [InlineData("abc\\")]
        public void Bre_refuses_what_it_does_not_have(string pattern)
        {
            Assert.Null(Bre.Compile(pattern, false, out string error));
            Assert.False(string.IsNullOrEmpty(error));
        }

        [Theory]
        [InlineData("memhog|forker", "   12 forker 5", true)]
        [InlineData("memhog|forker", "sh", false)]
        [InlineData("^sh$|mem", "sh", true)]
        [InlineData("^sh$|mem", "shx", false)]
        [InlineData("ab+c", "ac", false)]
        [InlineData("ab+c", "abbc", true)]
        [InlineData("ab?c", "ac", true)]
        [InlineData("ab?c", "abbc", false)]
        [InlineData("[|]", "|", true)]             // | inside brackets is a member
        [InlineData("a\\|b", "a|b", true)]      // \| is a literal |
        [InlineData("a\\|b", "a", false)]
        [InlineData("a\\+", "a+", true)]
        public void Ere_matches(string pattern, string line, bool expected)
        {
            Bre ere = Bre.Compile(pattern, false, true, out string error);
            Assert.Null(error);
            Assert.Equal(expected, ere.IsMatch(line));
        }

        [Theory]
        [InlineData("(a|b)c")]
        [InlineData("a{2}")]
        [InlineData("a|[bc")]
        public void Ere_refuses_groups_and_intervals(string pattern)
        {
            Assert.Null(Bre.Compile(pattern, false, true, out string error));
            Assert.False(string.IsNullOrEmpty(error));
        }

        // Alternatives of atoms a, b, . each with nothing, *, + or ? after it, optionally anchored:
        // written the same way they are a .NET regular expression with the same meaning.
        [Fact]
        public void Ere_agrees_with_a_regular_expression()
        {
            Gen<string> atom = Gen.Select(Gen.Char["ab."], Gen.Int[0, 3], (c, r) => c + new[] { "", "*", "+", "?" }[r]);
            Gen<string> alternative = Gen.Select(Gen.Bool, atom.Array[1, 4], Gen.Bool, (s, a, e) => (s ? "^" : "") + string.Concat(a) + (e ? "$" : ""));
            Gen.Select(alternative.Array[1, 3].Select(a => string.Join("|", a)), Gen.Char["abc"].Array[0, 10].Select(c => new string(c)))
                .Sample((p, line) =>
                {
                    Bre ere = Bre.Compile(p, false, true, out string error);
                    return error == null && ere.IsMatch(line) == Regex.IsMatch(line, p, RegexOptions.Singleline);
                }, iter: 20_000);
        }

        [Fact]
        public void Grep_E_takes_alternatives()
        {
            Assert.Equal((0, "    1     0 R    sh\n   12     1 R    memhog 100 1000\n   13     1 S    grep memhog\n", ""),
                Run(TextTools.Grep, new FakeIo(Ps), "grep -E sh$|memhog"));
            Assert.Equal((1, "", ""), Run(TextTools.Grep, new FakeIo(Ps), "grep sh$|memhog"));   // a BRE: | is a literal
            Assert.StartsWith("grep: bad regex '(a)': groups", Run(TextTools.Grep, new FakeIo(), "grep -E (a)").Err);
        }

        // The reference: the same BRE as a .NET regular expression.
        private static string ToRegex(string bre)
        {
            var sb = new StringBuilder();
            int i = 0;
            if (bre.StartsWith('^')) { sb.Append('^'); i = 1; }
            bool atomBefore = false;
            for (; i < bre.Length; i++)
            {
                char c = bre[i];
                if (c == '$' && i == bre.Length - 1) { sb.Append('$'); break; }
                if (c == '*' && atomBefore) { sb.Append('*'); atomBefore = false; continue; }
                if (c == '.') sb.Append('.');
                else sb.Append(Regex.Escape(c.ToString()));
                atomBefore = true;
            }
            return sb.ToString();
        }

        [Fact]
        public void Bre_agrees_with_a_regular_expression()
        {
            Gen.Select(Gen.Char["ab.*^$"].Array[0, 8].Select(c => new string(c)), Gen.Char["ab*.^$"].Array[0, 12].Select(c => new string(c)))
                .Where((p, _) => !p.Contains("**"))
                .Sample((p, line) =>
                {
                    Bre bre = Bre.Compile(p, false, out string error);
                    return error == null && bre.IsMatch(line) == Regex.IsMatch(line, ToRegex(p), RegexOptions.Singleline);
                }, iter: 20_000);
        }

        [Fact]
        public void Bre_is_linear_on_hostile_input()
        {
            Bre bre = Bre.Compile(string.Concat(Enumerable.Repeat("a*", 300)) + "b", false, out string _);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.False(bre.IsMatch(new string('a', 20_000)));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        }

        [Fact]
        public void Head_and_tail()
        {
            string ten = string.Concat(Enumerable.Range(1, 12).Select(i => i + "\n"));
            Assert.Equal((0, string.Concat(Enumerable.Range(1, 10).Select(i => i + "\n")), ""), Run(TextTools.Head, new FakeIo(ten), "head"));
            Assert.Equal((0, "1\n2\n3\n", ""), Run(TextTools.Head, new FakeIo(ten), "head -n 3"));
            Assert.Equal((0, "1\n2\n3\n", ""), Run(TextTools.Head, new FakeIo(ten), "head -n3"));
            Assert.Equal((0, "1\n2\n3\n", ""), Run(TextTools.Head, new FakeIo(ten), "head -3"));
            Assert.Equal((0, "", ""), Run(TextTools.Head, new FakeIo(ten), "head -n 0"));
            Assert.Equal((0, "10\n11\n12\n", ""), Run(TextTools.Tail, new FakeIo(ten), "tail -n 3"));
            Assert.Equal((0, "10\n11\n12\n", ""), Run(TextTools.Tail, new FakeIo(ten), "tail -3"));
            Assert.Equal((0, "11\n12\n", ""), Run(TextTools.Tail, new FakeIo(ten), "tail -n +11"));
            Assert.Equal((0, "", ""), Run(TextTools.Tail, new FakeIo(ten), "tail -n 0"));
            Assert.Equal((0, ten, ""), Run(TextTools.Tail, new FakeIo(ten), "tail -n 1000"));
            Assert.Equal((0, "b\nc", ""), Run(TextTools.Tail, new FakeIo("a\nb\nc"), "tail -n 2"));   // no final newline added
            Assert.Equal((0, "a\nb", ""), Run(TextTools.Head, new FakeIo("a\nb"), "head"));
        }

        [Fact]
        public void Tail_keeps_the_last_lines_of_long_input()
        {
            Gen.Select(Gen.Int[0, 500], Gen.Int[0, 700]).Sample((lines, n) =>
            {
                string input = string.Concat(Enumerable.Range(0, lines).Select(i => "line" + i + "\n"));
                var r = Run(TextTools.Tail, new FakeIo(input, 4096), "tail -n " + n);
                return r.Out == string.Concat(Enumerable.Range(0, lines).Skip(Math.Max(0, lines - n)).Select(i => "line" + i + "\n"));
            }, iter: 300);
        }

        [Fact]
        public void Head_and_tail_name_several_files_and_report_missing_ones()
        {
            var io = new FakeIo().File("a", "1\n2\n").File("b", "3\n");
            Assert.Equal((1, "==> a <==\n1\n2\n\n==> b <==\n3\n", "head: can't open 'x': No such file or directory\n"), Run(TextTools.Head, io, "head a x b"));
            Assert.Equal((1, "", "tail: invalid number 'x'\n"), Run(TextTools.Tail, new FakeIo(), "tail -n x"));
            Assert.Equal((2, "", "head: option requires an argument -- 'n'\nusage: " + TextTools.HeadUsage + "\n"), Run(TextTools.Head, new FakeIo(), "head -n"));
        }

        [Fact]
        public void Wc_counts_as_busybox_prints_them()
        {
            Assert.Equal((0, "3\n", ""), Run(TextTools.Wc, new FakeIo("a\nbb cc\n\n"), "wc -l"));
            Assert.Equal((0, "3\n", ""), Run(TextTools.Wc, new FakeIo("a\nbb cc\n\n"), "wc -w"));
            Assert.Equal((0, "9\n", ""), Run(TextTools.Wc, new FakeIo("a\nbb cc\n\n"), "wc -c"));
            Assert.Equal((0, "        3         3         9\n", ""), Run(TextTools.Wc, new FakeIo("a\nbb cc\n\n"), "wc"));
            Assert.Equal((0, "        3         9\n", ""), Run(TextTools.Wc, new FakeIo("a\nbb cc\n\n"), "wc -lc"));
            var io = new FakeIo().File("f", "x y\n").File("g", "z");
            Assert.Equal((0, "1 f\n0 g\n1 total\n", ""), Run(TextTools.Wc, io, "wc -l f g"));
            Assert.Equal((1, "", "wc: can't open 'n': No such file or directory\n"), Run(TextTools.Wc, new FakeIo(), "wc n"));
        }

        [Fact]
        public void Wc_agrees_with_a_model()
        {
            Gen.Char[" \nab\t"].Array[0, 60].Select(c => new string(c)).Sample(s =>
            {
                var r = Run(TextTools.Wc, new FakeIo(s, 3), "wc");
                long lines = s.Count(c => c == '\n');
                long words = s.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries).Length;
                return r.Out == $"{lines,9} {words,9} {s.Length,9}\n";
            });
        }

        [Fact]
        public void Sort_orders_lines()
        {
            Assert.Equal((0, "a\nb\nc\n", ""), Run(TextTools.Sort, new FakeIo("c\na\nb\n"), "sort"));
            Assert.Equal((0, "c\nb\na\n", ""), Run(TextTools.Sort, new FakeIo("c\na\nb\n"), "sort -r"));
            Assert.Equal((0, "-5\n0\nx\n2\n10\n", ""), Run(TextTools.Sort, new FakeIo("10\n2\n-5\n0\nx\n"), "sort -n"));   // 0 and x tie: byte order
            Assert.Equal((0, "10\n2\nx\n0\n-5\n", ""), Run(TextTools.Sort, new FakeIo("10\n2\n-5\n0\nx\n"), "sort -nr"));
            Assert.Equal((0, "1.5\n1.50 a\n2\n", ""), Run(TextTools.Sort, new FakeIo("2\n1.50 a\n1.5\n"), "sort -n"));
            Assert.Equal((1, "", "sort: can't open 'x': No such file or directory\n"), Run(TextTools.Sort, new FakeIo(), "sort x"));
        }

        [Fact]
        public void Sort_n_agrees_with_a_numeric_model()
        {
            Gen.Int[-1000, 1000].Array[0, 50].Sample(numbers =>
            {
                string input = string.Concat(numbers.Select(n => n + "\n"));
                var r = Run(TextTools.Sort, new FakeIo(input), "sort -n");
                var expected = numbers.OrderBy(n => n).ThenBy(n => n.ToString(), StringComparer.Ordinal);
                return r.Out == string.Concat(expected.Select(n => n + "\n"));
            });
        }

        [Fact]
        public void Uniq_collapses_adjacent_repeats()
        {
            Assert.Equal((0, "a\nb\na\n", ""), Run(TextTools.Uniq, new FakeIo("a\na\nb\na\n"), "uniq"));
            Assert.Equal((0, "      2 a\n      1 b\n      1 a\n", ""), Run(TextTools.Uniq, new FakeIo("a\na\nb\na\n"), "uniq -c"));
            Assert.Equal((0, "x\n", ""), Run(TextTools.Uniq, new FakeIo().File("f", "x\nx\n"), "uniq f"));
            Assert.Equal((1, "", "uniq: can't open 'n': No such file or directory\n"), Run(TextTools.Uniq, new FakeIo(), "uniq n"));
        }

        [Fact]
        public void Tee_copies_to_stdout_and_files()
        {
            var io = new FakeIo("one\ntwo\n");
            Assert.Equal((0, "one\ntwo\n", ""), Run(TextTools.Tee, io, "tee f"));
            Assert.Equal("one\ntwo\n", Encoding.Latin1.GetString(io.Files["f"]));
            io = new FakeIo("more\n").File("f", "old\n");
            Run(TextTools.Tee, io, "tee -a f");
            Assert.Equal("old\nmore\n", Encoding.Latin1.GetString(io.Files["f"]));
            Assert.Equal((1, "x\n", "tee: /ro/f: Permission denied\n"), Run(TextTools.Tee, new FakeIo("x\n"), "tee /ro/f"));
        }

        [Fact]
        public void Cat_copies_files_and_stdin_byte_for_byte()
        {
            var io = new FakeIo("in\u00ff").File("a", "A\n");
            Assert.Equal((1, "A\nin\u00ffA\n", "cat: can't open 'nope': No such file or directory\n"), Run(TextTools.Cat, io, "cat a - nope a"));
            Assert.Equal((0, "x", ""), Run(TextTools.Cat, new FakeIo("x"), "cat"));
        }

        [Fact]
        public void An_interrupted_read_ends_quietly_with_130()
        {
            foreach (var tool in new Func<ToolIo, string[], int>[] { TextTools.Cat, TextTools.Grep, TextTools.Head, TextTools.Tail, TextTools.Wc, TextTools.Sort, TextTools.Uniq, TextTools.Tee })
            {
                var io = new FakeIo("partial\n", 100, Errno.EINTR);
                string name = tool.Method.Name.ToLowerInvariant();
                int status = tool(io, name == "grep" ? new[] { "grep", "zzz" } : new[] { name });
                Assert.Equal(130, status);
                Assert.Equal("", io.Err.ToString());
            }
        }

        [Fact]
        public void An_endless_line_comes_in_bounded_pieces()
        {
            var io = new FakeIo(new string('\0', 3 * LineReader.MaxLine + 5), 4096);
            var reader = new LineReader(io.Stdin);
            var pieces = new List<int>();
            while (reader.Next(out string piece)) pieces.Add(piece.Length);
            Assert.Equal(new[] { LineReader.MaxLine, LineReader.MaxLine, LineReader.MaxLine, 5 }, pieces);
            Assert.Equal((0, "4\n", ""), Run(TextTools.Wc, new FakeIo("a\nb\nc\nd\n"), "wc -l"));
        }

        [Fact]
        public void Line_reader_handles_long_lines_and_a_missing_final_newline()
        {
            string big = new string('x', 50_000);
            var io = new FakeIo(big + "\nlast", 4096);
            var reader = new LineReader(io.Stdin);
            Assert.True(reader.Next(out string a));
            Assert.Equal(big, a);
            Assert.True(reader.Terminated);
            Assert.True(reader.Next(out string b));
            Assert.Equal("last", b);
            Assert.False(reader.Terminated);
            Assert.False(reader.Next(out string _));
        }
    }
}
