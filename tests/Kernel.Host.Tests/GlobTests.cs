using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    // A file tree for globbing: absolute paths of files; directories are implied by them (and
    // may be added empty). The working directory is "/w".
    internal sealed class FakeTree : GlobTree
    {
        private readonly SortedDictionary<string, SortedSet<string>> _dirs = new(StringComparer.Ordinal);
        private readonly HashSet<string> _files = new(StringComparer.Ordinal);
        public int Listings;

        public FakeTree(params string[] paths)
        {
            AddDir("/");
            AddDir("/w");
            foreach (string p in paths) Add(p);
        }

        public void AddDir(string path)
        {
            if (!_dirs.ContainsKey(path)) _dirs[path] = new SortedSet<string>(StringComparer.Ordinal);
            if (path != "/") Link(path);
        }

        public void Add(string path)
        {
            if (path.EndsWith('/')) { AddDir(path.TrimEnd('/')); return; }
            _files.Add(path);
            Link(path);
        }

        private void Link(string path)
        {
            int slash = path.LastIndexOf('/');
            string parent = slash == 0 ? "/" : path.Substring(0, slash);
            AddDir(parent);
            _dirs[parent].Add(path.Substring(slash + 1));
        }

        private static string Absolute(string path) =>
            path.StartsWith('/') ? path : path.Length == 0 ? "/w" : "/w/" + path;

        public override bool TryList(string path, out string[] names)
        {
            Listings++;
            string p = Absolute(path).TrimEnd('/');
            if (p.Length == 0) p = "/";
            names = null;
            if (!_dirs.TryGetValue(p, out var set)) return false;
            // The directory's own order (reversed, to prove the result is sorted by Glob).
            names = set.Reverse().ToArray();
            return true;
        }

        public override bool Exists(string path)
        {
            string p = Absolute(path);
            if (p.EndsWith('/') && p.Length > 1) return _dirs.ContainsKey(p.TrimEnd('/'));
            return _files.Contains(p) || _dirs.ContainsKey(p);
        }
    }

    public class GlobTests
    {
        private static readonly ShellParameters Params = new() { LastStatus = 0, ShellPid = 1 };

        // The arguments a line's single command expands to.
        private static string[] Argv(string line, GlobTree tree, ShellParameters p = null)
        {
            ParsedLine parsed = CommandLine.Parse(line);
            Assert.True(parsed.Ok, parsed.Error);
            return Expansion.Words(parsed.Items[0].Pipelines[0].Commands[0].Words, p ?? Params, tree);
        }

        private static FakeTree Containers()
        {
            var t = new FakeTree();
            foreach (string c in new[] { "web", "db", "batch" })
                foreach (string f in new[] { "id", "page_usage", "page_limit", "num_tasks" })
                    t.Add($"/config/containers/{c}/{f}");
            t.Add("/w/a.txt");
            t.Add("/w/b.txt");
            t.Add("/w/.hidden.txt");
            t.Add("/w/dir/inner.txt");
            t.Add("/w/[x]");
            return t;
        }

        [Theory]
        [InlineData("abc", "abc", true)]
        [InlineData("abc", "abd", false)]
        [InlineData("a*", "a", true)]
        [InlineData("a*", "abc", true)]
        [InlineData("*c", "abc", true)]
        [InlineData("*b*", "abc", true)]
        [InlineData("*x*", "abc", false)]
        [InlineData("a?c", "abc", true)]
        [InlineData("a?c", "ac", false)]
        [InlineData("[ab]c", "bc", true)]
        [InlineData("[!ab]c", "bc", false)]
        [InlineData("[^ab]c", "cc", true)]
        [InlineData("[a-c]", "b", true)]
        [InlineData("[a-c]", "d", false)]
        [InlineData("[]]", "]", true)]
        [InlineData("[!]]", "]", false)]
        [InlineData("[a-]", "-", true)]
        [InlineData("[", "[", true)]
        [InlineData("[ab", "[ab", true)]
        [InlineData("a\\*", "a*", true)]
        [InlineData("a\\*", "ab", false)]
        [InlineData("\\[x]", "[x]", true)]
        [InlineData("*.txt", "a.txt", true)]
        [InlineData("**", "", true)]
        [InlineData("*?*?*", "ab", true)]
        [InlineData("*?*?*", "a", false)]
        public void Match(string pattern, string name, bool expected)
        {
            Assert.Equal(expected, Glob.Match(pattern, name));
        }

        [Fact]
        public void Match_is_not_exponential()
        {
            string name = new string('a', 5000);
            string pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Assert.False(Glob.Match(pattern, name));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
        }

        // The reference: the same language as a .NET regular expression.
        private static bool Reference(string pattern, string name)
        {
            var re = new StringBuilder("^");
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '*') re.Append("[\\s\\S]*");
                else if (c == '?') re.Append("[\\s\\S]");
                else re.Append(Regex.Escape(c.ToString()));
            }
            return Regex.IsMatch(name, re.Append('$').ToString());
        }

        [Fact]
        public void Match_agrees_with_a_regular_expression_for_star_and_question_mark()
        {
            Gen.Select(Gen.Char["ab*?"].Array[0, 8].Select(c => new string(c)), Gen.Char["ab"].Array[0, 10].Select(c => new string(c)))
                .Sample((p, n) => Glob.Match(p, n) == Reference(p, n), iter: 20_000);
        }

        [Fact]
        public void Expands_in_sorted_order()
        {
            FakeTree t = Containers();
            Assert.Equal(new[] { "cat", "/config/containers/batch/page_usage", "/config/containers/db/page_usage", "/config/containers/web/page_usage" },
                Argv("cat /config/containers/*/page_usage", t));
            Assert.Equal(new[] { "ls", "[x]", "a.txt", "b.txt", "dir" }, Argv("ls *", t));
            Assert.Equal(new[] { "ls", "a.txt", "b.txt" }, Argv("ls *.txt", t));
            Assert.Equal(new[] { "ls", "dir/inner.txt" }, Argv("ls */*.txt", t));
            Assert.Equal(new[] { "ls", "dir/" }, Argv("ls */", t));
            Assert.Equal(new[] { "ls", "/config/containers/db/id", "/config/containers/db/num_tasks" },
                Argv("ls /config/containers/d?/[a-z][!a]*", t));
        }

        [Fact]
        public void Hidden_files_need_an_explicit_dot()
        {
            FakeTree t = Containers();
            Assert.DoesNotContain(".hidden.txt", Argv("ls *", t));
            Assert.Equal(new[] { "ls", ".hidden.txt" }, Argv("ls .*", t));
            Assert.Equal(new[] { "ls", "?hidden.txt" }, Argv("ls ?hidden.txt", t));   // no match: as typed
        }

        [Fact]
        public void A_pattern_matching_nothing_stays_as_typed()
        {
            FakeTree t = Containers();
            Assert.Equal(new[] { "cat", "*.c" }, Argv("cat *.c", t));
            Assert.Equal(new[] { "cat", "/nowhere/*" }, Argv("cat /nowhere/*", t));
            Assert.Equal(new[] { "cat", "/config/containers/*/nothing" }, Argv("cat /config/containers/*/nothing", t));
            Assert.Equal(new[] { "echo", "[" }, Argv("echo [", t));
        }

        [Fact]
        public void Quoted_glob_characters_are_literal()
        {
            FakeTree t = Containers();
            Assert.Equal(new[] { "ls", "*" }, Argv("ls '*'", t));
            Assert.Equal(new[] { "ls", "*.txt" }, Argv("ls \\*.txt", t));
            Assert.Equal(new[] { "ls", "*.txt" }, Argv("ls \"*\".txt", t));
            Assert.Equal(new[] { "ls", "[x]" }, Argv("ls '[x]'", t));       // the file named [x], not a class
            Assert.Equal(new[] { "ls", "[x]" }, Argv("ls '['*", t));        // quoted [ then a glob
        }

        [Fact]
        public void Parameters_expand_and_never_glob()
        {
            var p = new ShellParameters { LastStatus = 141, ShellPid = 1, LastBackgroundPid = 0 };
            FakeTree t = Containers();
            Assert.Equal(new[] { "echo", "141", "x141y", "141", "1" }, Argv("echo $? x$?y \"$?\" $$", t, p));
            Assert.Equal(new[] { "echo" }, Argv("echo $!", t, p));            // empty and unquoted: no word
            Assert.Equal(new[] { "echo", "" }, Argv("echo \"$!\"", t, p));    // quoted: an empty word
            p.LastBackgroundPid = 42;
            Assert.Equal(new[] { "echo", "42" }, Argv("echo $!", t, p));
        }

        [Fact]
        public void Hundreds_of_matches()
        {
            var t = new FakeTree();
            var names = Enumerable.Range(0, 700).Select(i => $"c{i}").ToList();
            foreach (string n in names) t.Add($"/config/containers/{n}/page_usage");
            string[] argv = Argv("cat /config/containers/*/page_usage", t);
            Assert.Equal(701, argv.Length);
            var expected = names.Select(n => $"/config/containers/{n}/page_usage").OrderBy(s => s, StringComparer.Ordinal);
            Assert.Equal(expected, argv.Skip(1));
            Assert.Equal(703, Argv("ls /config/containers/* x y", t).Length);
        }

        [Fact]
        public void Expansion_visits_each_directory_once()
        {
            var t = new FakeTree();
            for (int i = 0; i < 30; i++)
                for (int j = 0; j < 30; j++) t.Add($"/d/a{i}/b{j}/f");
            t.Listings = 0;
            Assert.Equal(900, Glob.Expand("/d/*/*/f", t).Length);
            Assert.Equal(31, t.Listings);   // /d, then each a{i}
        }

        [Fact]
        public void Random_patterns_never_throw()
        {
            FakeTree t = Containers();
            Gen.Char["*?[]!^-\\/.abtx"].Array[0, 12].Select(c => new string(c)).Sample(p =>
            {
                string[] r = Glob.Expand(p, t);
                Assert.Equal(r.OrderBy(s => s, StringComparer.Ordinal), r);
                foreach (string m in r) Assert.True(t.Exists(m));
            }, iter: 5000);
        }

        [Fact]
        public void Sort_is_stable_and_ordinal()
        {
            Gen.Int[0, 20].Array[0, 200].Sample(a =>
            {
                int[] copy = (int[])a.Clone();
                Sorting.Sort(copy, (x, y) => x - y);
                Assert.Equal(a.OrderBy(x => x), copy);
            });
            var pairs = Enumerable.Range(0, 100).Select(i => (Key: i % 3, Index: i)).ToArray();
            Sorting.Sort(pairs, (x, y) => x.Key - y.Key);
            Assert.Equal(pairs.OrderBy(p => p.Key).ThenBy(p => p.Index), pairs);
            string[] s = { "b", "B", "a", "ab", "" };
            Sorting.Sort(s, Sorting.Ordinal);
            Assert.Equal(new[] { "", "B", "a", "ab", "b" }, s);
        }
    }
}
