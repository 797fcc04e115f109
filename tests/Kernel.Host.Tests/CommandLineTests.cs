using System.Linq;
using System.Text;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    // The parser (src/Kernel/Shell/CommandLine.cs): quoting, lists, pipelines, redirections, and
    // ash's syntax errors for everything else.
    public class CommandLineTests
    {
        // The line must parse to exactly one simple command; its words after quote removal.
        private static SimpleCommand One(string line, params string[] words)
        {
            ParsedLine p = CommandLine.Parse(line);
            Assert.True(p.Ok, p.Error);
            Assert.Null(p.Error);
            Assert.Single(p.Items);
            Assert.Single(p.Items[0].Pipelines);
            Assert.Single(p.Items[0].Pipelines[0].Commands);
            SimpleCommand c = p.Items[0].Pipelines[0].Commands[0];
            Assert.Equal(words, c.Words.Select(w => w.Source).ToArray());
            return c;
        }

        private static ParsedLine Ok(string line)
        {
            ParsedLine p = CommandLine.Parse(line);
            Assert.True(p.Ok, p.Error);
            return p;
        }

        private static void Error(string line, string message)
        {
            ParsedLine p = CommandLine.Parse(line);
            Assert.False(p.Ok);
            Assert.Equal(message, p.Error);
            Assert.Empty(p.Items);
        }

        private static string Unexpected(string token) => "sh: syntax error: unexpected \"" + token + "\"";
        private const string Eof = "sh: syntax error: unexpected end of file";

        // A readable form of a parsed line: "a b | c && d ; e &".
        private static string Show(ParsedLine p)
        {
            var sb = new StringBuilder();
            foreach (AndOr item in p.Items)
            {
                for (int i = 0; i < item.Pipelines.Length; i++)
                {
                    if (i > 0) sb.Append(item.Connectors[i - 1] == Connector.And ? " && " : " || ");
                    Pipeline pl = item.Pipelines[i];
                    if (pl.Negated) sb.Append("! ");
                    sb.Append(string.Join(" | ", pl.Commands.Select(c => string.Join(" ", c.Words.Select(w => w.Source)))));
                }
                sb.Append(item.Background ? " & " : " ; ");
            }
            string shown = sb.ToString().TrimEnd();
            return shown.EndsWith(" ;") ? shown.Substring(0, shown.Length - 2) : shown;
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("\t \t")]
        [InlineData("# just a comment")]
        [InlineData("   #comment 'unterminated")]
        [InlineData(null)]
        public void Empty_lines(string line)
        {
            Assert.Empty(Ok(line).Items);
        }

        [Fact]
        public void Splits_on_spaces_and_tabs()
        {
            One("echo  hello\tworld ", "echo", "hello", "world");
            One("\tls", "ls");
        }

        [Fact]
        public void Single_quotes_are_literal()
        {
            One("echo 'a  b' 'c\\d' '\"$x\"'", "echo", "a  b", "c\\d", "\"$x\"");
            One("echo '#not comment' '>' '&' '|' ';' '$?'", "echo", "#not comment", ">", "&", "|", ";", "$?");
        }

        [Fact]
        public void Double_quotes_escape_only_few_chars()
        {
            One("echo \"a  b\"", "echo", "a  b");
            One("echo \"q\\\"q\"", "echo", "q\"q");
            One("echo \"back\\\\slash\"", "echo", "back\\slash");
            One("echo \"\\$HOME \\`x\\`\"", "echo", "$HOME `x`");
            One("echo \"\\n\\t\\a\"", "echo", "\\n\\t\\a");   // other backslashes stay
            One("echo \"'single' inside\"", "echo", "'single' inside");
            One("echo \"a\\\nb\"", "echo", "ab");            // backslash-newline vanishes
            One("echo \">&#|;\"", "echo", ">&#|;");
        }

        [Fact]
        public void Backslash_outside_quotes()
        {
            One("echo a\\ b", "echo", "a b");
            One("echo \\'x\\' \\\"y\\\"", "echo", "'x'", "\"y\"");
            One("echo \\\\", "echo", "\\");
            One("echo \\> \\& \\# \\| \\;", "echo", ">", "&", "#", "|", ";");
            One("echo \\n", "echo", "n");
            One("echo a\\\nb", "echo", "ab");
            One("echo trailing\\", "echo", "trailing\\");   // a lone final backslash stays
        }

        [Fact]
        public void Quotes_concatenate_within_a_word()
        {
            One("echo a'b c'd\"e f\"g", "echo", "ab cde fg");
            One("echo ''", "echo", "");
            One("echo \"\" ''x", "echo", "", "x");
            One("'' \"\"", "", "");
        }

        [Fact]
        public void Quoting_is_kept_per_part_for_globbing()
        {
            SimpleCommand c = One("ls a'*'b*", "ls", "a*b*");
            WordPart[] parts = c.Words[1].Parts;
            Assert.Equal(new[] { "a", "*", "b*" }, parts.Select(p => p.Text).ToArray());
            Assert.Equal(new[] { false, true, false }, parts.Select(p => p.Quoted).ToArray());
            Assert.False(c.Words[1].IsPlain);
            Assert.True(c.Words[0].IsPlain);
        }

        [Fact]
        public void Comments()
        {
            One("echo hi # a comment", "echo", "hi");
            One("echo hi #", "echo", "hi");
            One("echo a#b", "echo", "a#b");      // # inside a word is literal
            One("echo '#' #x", "echo", "#");
            SimpleCommand c = One("echo hi # > f &", "echo", "hi");
            Assert.Empty(c.Redirections);
            Assert.Equal("echo hi ; a", Show(Ok("echo hi; a # | b && c")));
        }

        [Fact]
        public void Status_and_pid_parameters()
        {
            SimpleCommand c = One("echo $? \"x$?y\" '$?' \\$? $$ $!", "echo", "$?", "x$?y", "$?", "$?", "$$", "$!");
            Assert.Equal('?', c.Words[1].Parts[0].Parameter);
            Assert.False(c.Words[1].Parts[0].Quoted);
            Assert.Contains(c.Words[2].Parts, p => p.Parameter == '?' && p.Quoted);
            Assert.DoesNotContain(c.Words[3].Parts, p => p.Parameter != 0);   // single-quoted
            Assert.DoesNotContain(c.Words[4].Parts, p => p.Parameter != 0);   // escaped
            Assert.Equal('$', c.Words[5].Parts[0].Parameter);
            Assert.Equal('!', c.Words[6].Parts[0].Parameter);
        }

        [Fact]
        public void A_dollar_before_nothing_special_is_literal()
        {
            One("echo $ a$ \"$\" $/ $.", "echo", "$", "a$", "$", "$/", "$.");
        }

        [Theory]
        [InlineData("echo $HOME", "$HOME")]
        [InlineData("echo \"$PATH\"", "$PATH")]
        [InlineData("echo $1", "$1")]
        [InlineData("echo $#", "$#")]
        [InlineData("echo $@", "$@")]
        [InlineData("echo $(ls)", "$(")]
        [InlineData("echo ${x}", "${")]
        [InlineData("echo `ls`", "`")]
        [InlineData("echo \"`ls`\"", "`")]
        public void Unsupported_expansions_are_syntax_errors(string line, string token)
        {
            Error(line, Unexpected(token));
        }

        [Fact]
        public void Lists_and_and_or()
        {
            Assert.Equal("a ; b ; c", Show(Ok("a; b ;c")));
            Assert.Equal("a ; b", Show(Ok("a; b;")));
            Assert.Equal("a && b || c", Show(Ok("a && b || c")));
            Assert.Equal("false || echo x", Show(Ok("false||echo x")));
            Assert.Equal("true && echo y", Show(Ok("true&&echo y")));
            Assert.Equal("a & b", Show(Ok("a & b")));
            ParsedLine p = Ok("sleep 1 & echo x");
            Assert.True(p.Items[0].Background);
            Assert.False(p.Items[1].Background);
            Assert.Equal(new[] { Connector.And, Connector.Or }, Ok("a && b || c").Items[0].Connectors);
        }

        [Fact]
        public void Pipelines()
        {
            Assert.Equal("ps | grep memhog", Show(Ok("ps | grep memhog")));
            Assert.Equal("a | b | c", Show(Ok("a|b|c")));
            Assert.Equal("a | b && c | d", Show(Ok("a | b && c | d")));
            Assert.Equal("! a | b", Show(Ok("! a | b")));
            Assert.True(Ok("! false").Items[0].Pipelines[0].Negated);
            Assert.Equal(new[] { "echo", "!" }, One("echo !", "echo", "!").Words.Select(w => w.Source));
            Assert.Equal("a | b &", Show(Ok("a | b &")));
        }

        [Theory]
        [InlineData("a |", Eof)]
        [InlineData("a | ", Eof)]
        [InlineData("a &&", Eof)]
        [InlineData("a ||", Eof)]
        [InlineData("a && # comment", Eof)]
        [InlineData("!", Eof)]
        [InlineData("echo 'abc", Eof)]
        [InlineData("echo \"abc", Eof)]
        [InlineData("echo \"abc\\\"", Eof)]
        [InlineData("'", Eof)]
        [InlineData("echo ok > 'f", Eof)]
        [InlineData("echo a\"b", Eof)]
        public void An_incomplete_line_is_unexpected_end_of_file(string line, string message)
        {
            Error(line, message);
        }

        [Theory]
        [InlineData("|", "|")]
        [InlineData("| a", "|")]
        [InlineData("a ||||", "||")]
        [InlineData("||||", "||")]
        [InlineData("a | | b", "|")]
        [InlineData("a && && b", "&&")]
        [InlineData("&& a", "&&")]
        [InlineData("; a", ";")]
        [InlineData("a ; ; b", ";")]
        [InlineData("a ;; b", ";;")]
        [InlineData("&", "&")]
        [InlineData("  & ", "&")]
        [InlineData("a & &", "&")]
        [InlineData("a | &", "&")]
        [InlineData("(a)", "(")]
        [InlineData("echo (", "(")]
        [InlineData("echo a)", ")")]
        [InlineData("a | (b)", "(")]
        [InlineData("if true; then echo; fi", "if")]
        [InlineData("while true; do a; done", "while")]
        [InlineData("for x in a; do b; done", "for")]
        [InlineData("{ a; }", "{")]
        [InlineData("a; fi", "fi")]
        [InlineData("a | ! b", "!")]
        [InlineData("FOO=bar", "FOO=bar")]
        [InlineData("FOO=bar echo", "FOO=bar")]
        [InlineData("cat << EOF", "<<")]
        [InlineData("cat <&3", "<&")]
        [InlineData("cat <> f", "<>")]
        [InlineData("echo >| f", ">|")]
        [InlineData("echo 3> f", "3>")]
        [InlineData("echo 0> f", "0>")]
        [InlineData("cat 1< f", "1<")]
        [InlineData("echo 2>&3", "3")]
        [InlineData("echo >&-", "-")]
        [InlineData("echo > > f", ">")]
        [InlineData("echo >>> f", ">")]
        [InlineData("echo > >>f", ">>")]
        [InlineData("echo > &", "&")]
        [InlineData("echo > | x", "|")]
        public void Unsupported_or_misplaced_tokens(string line, string token)
        {
            Error(line, Unexpected(token));
        }

        [Fact]
        public void Reserved_words_are_words_after_the_command_name()
        {
            One("echo if then fi { } FOO=bar", "echo", "if", "then", "fi", "{", "}", "FOO=bar");
            One("'if'", "if");   // quoted: a command named if
            One("dd if=/dev/zero of=f", "dd", "if=/dev/zero", "of=f");
        }

        [Theory]
        [InlineData("echo >")]
        [InlineData("echo >>")]
        [InlineData("echo >   ")]
        [InlineData("echo > # comment")]
        [InlineData("echo 2>")]
        [InlineData("cat <")]
        public void Missing_redirect_target(string line)
        {
            Error(line, "sh: syntax error: unexpected newline");
        }

        [Theory]
        [InlineData("echo hi > out.txt", 1, RedirectionKind.Write)]
        [InlineData("echo hi >out.txt", 1, RedirectionKind.Write)]
        [InlineData("echo hi>out.txt", 1, RedirectionKind.Write)]
        [InlineData("> out.txt echo hi", 1, RedirectionKind.Write)]
        [InlineData("echo hi 1>out.txt", 1, RedirectionKind.Write)]
        [InlineData("echo hi >> out.txt", 1, RedirectionKind.Append)]
        [InlineData("echo hi>>out.txt", 1, RedirectionKind.Append)]
        [InlineData("echo hi 2> out.txt", 2, RedirectionKind.Write)]
        [InlineData("echo hi 2>>out.txt", 2, RedirectionKind.Append)]
        [InlineData("echo hi < out.txt", 0, RedirectionKind.Read)]
        [InlineData("echo hi 0<out.txt", 0, RedirectionKind.Read)]
        public void Redirections(string line, int fd, RedirectionKind kind)
        {
            SimpleCommand c = One(line, "echo", "hi");
            Redirection r = Assert.Single(c.Redirections);
            Assert.Equal(fd, r.Fd);
            Assert.Equal(kind, r.Kind);
            Assert.Equal("out.txt", r.Target.Source);
        }

        [Fact]
        public void Duplications_keep_their_order()
        {
            SimpleCommand c = One("cmd > f 2>&1", "cmd");
            Assert.Equal(2, c.Redirections.Length);
            Assert.Equal(RedirectionKind.Write, c.Redirections[0].Kind);
            Assert.Equal(RedirectionKind.Duplicate, c.Redirections[1].Kind);
            Assert.Equal(2, c.Redirections[1].Fd);
            Assert.Equal(1, c.Redirections[1].SourceFd);
            c = One("echo x >&2", "echo", "x");
            Assert.Equal(1, c.Redirections[0].Fd);
            Assert.Equal(2, c.Redirections[0].SourceFd);
            c = One("echo x 1>&2", "echo", "x");
            Assert.Equal(2, c.Redirections[0].SourceFd);
        }

        [Fact]
        public void Digits_not_touching_the_operator_are_words()
        {
            One("echo 2 >f", "echo", "2");
            One("echo a2>f", "echo", "a2");
            One("echo '2'>f", "echo", "2");
            Error("echo 12345678901>f", Unexpected("12345678901>"));
        }

        [Fact]
        public void Redirect_target_may_be_quoted()
        {
            Assert.Equal("my file", One("echo x > 'my file'", "echo", "x").Redirections[0].Target.Source);
            Assert.Equal("", One("echo x >\"\"", "echo", "x").Redirections[0].Target.Source);
        }

        [Fact]
        public void Redirection_without_command_is_allowed()
        {
            SimpleCommand c = One("> f");
            Assert.Single(c.Redirections);
        }

        [Theory]
        [InlineData("sleep 10 &")]
        [InlineData("sleep 10&")]
        [InlineData("sleep 10 &  ")]
        [InlineData("sleep 10 & # comment")]
        public void Background(string line)
        {
            ParsedLine p = Ok(line);
            Assert.True(Assert.Single(p.Items).Background);
        }

        [Fact]
        public void High_chars_pass_through()
        {
            One("echo \u00e9\u00ff '\u0080'", "echo", "\u00e9\u00ff", "\u0080");
        }

        [Fact]
        public void A_thousand_pipes()
        {
            string line = string.Join(" | ", Enumerable.Repeat("cat", 1001));
            ParsedLine p = Ok(line);
            Assert.Equal(1001, p.Items[0].Pipelines[0].Commands.Length);
            Error(line + " |", Eof);
            Error(string.Join("|", Enumerable.Repeat("a", 1000)) + "||||", Unexpected("||"));
            Error(new string('|', 4000), Unexpected("||"));
            Assert.Equal(2000, Ok(string.Join(" && ", Enumerable.Repeat("true", 2000))).Items[0].Pipelines.Length);
            Assert.Equal(3000, Ok(string.Join(";", Enumerable.Repeat("x", 3000))).Items.Length);
        }

        [Fact]
        public void Long_words_and_many_words()
        {
            string big = new string('x', 100_000);
            One("echo " + big, "echo", big);
            string[] words = Enumerable.Range(0, 5000).Select(i => "w" + i).ToArray();
            One(string.Join(" ", words), words);
        }

        [Fact]
        public void Random_lines_never_throw_and_keep_the_invariants()
        {
            var rng = new System.Random(7);
            const string alphabet = "ab '\"\\#>&|;<()!\t\n$?`x12 ";
            for (int n = 0; n < 30_000; n++)
            {
                int len = rng.Next(0, 40);
                var sb = new StringBuilder();
                for (int i = 0; i < len; i++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
                ParsedLine p = CommandLine.Parse(sb.ToString());
                Assert.NotNull(p.Items);
                Assert.Equal(p.ErrorKind == ParseError.None, p.Error == null);
                if (!p.Ok)
                {
                    Assert.Empty(p.Items);
                    Assert.StartsWith("sh: syntax error: ", p.Error);
                }
                foreach (AndOr a in p.Items)
                {
                    Assert.Equal(a.Pipelines.Length, a.Connectors.Length + 1);
                    foreach (Pipeline pl in a.Pipelines)
                    {
                        Assert.NotEmpty(pl.Commands);
                        foreach (SimpleCommand c in pl.Commands)
                        {
                            Assert.True(c.Words.Length + c.Redirections.Length > 0);
                            foreach (Word w in c.Words) Assert.NotEmpty(w.Parts);
                            foreach (Redirection r in c.Redirections)
                                Assert.True(r.Kind == RedirectionKind.Duplicate ? r.Target == null : r.Target != null);
                        }
                    }
                }
            }
        }
    }
}
