using System.Text;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    public class CommandLineTests
    {
        private static ParsedCommand Ok(string line, params string[] argv)
        {
            ParsedCommand p = CommandLine.Parse(line);
            Assert.Null(p.Error);
            Assert.Equal(ParseError.None, p.ErrorKind);
            Assert.True(p.Ok);
            Assert.Equal(argv, p.Argv);
            Assert.Equal(argv.Length, p.Argc);
            return p;
        }

        private static void Error(string line, ParseError kind, string message)
        {
            ParsedCommand p = CommandLine.Parse(line);
            Assert.Equal(kind, p.ErrorKind);
            Assert.Equal(message, p.Error);
            Assert.False(p.Ok);
            Assert.Equal(0, p.Argc);
            Assert.Empty(p.Argv);
            Assert.Null(p.RedirectPath);
            Assert.False(p.Background);
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
            ParsedCommand p = Ok(line);
            Assert.Null(p.RedirectPath);
            Assert.False(p.Background);
            Assert.False(p.Append);
        }

        [Fact]
        public void Splits_on_spaces_and_tabs()
        {
            Ok("echo  hello\tworld ", "echo", "hello", "world");
            Ok("\tls", "ls");
        }

        [Fact]
        public void Single_quotes_are_literal()
        {
            Ok("echo 'a  b' 'c\\d' '\"$x\"'", "echo", "a  b", "c\\d", "\"$x\"");
            Ok("echo '#not comment' '>' '&'", "echo", "#not comment", ">", "&");
        }

        [Fact]
        public void Double_quotes_escape_only_few_chars()
        {
            Ok("echo \"a  b\"", "echo", "a  b");
            Ok("echo \"q\\\"q\"", "echo", "q\"q");
            Ok("echo \"back\\\\slash\"", "echo", "back\\slash");
            Ok("echo \"\\$HOME \\`x\\`\"", "echo", "$HOME `x`");
            Ok("echo \"\\n\\t\\a\"", "echo", "\\n\\t\\a");   // other backslashes stay
            Ok("echo \"'single' inside\"", "echo", "'single' inside");
            Ok("echo \"a\\\nb\"", "echo", "ab");            // backslash-newline vanishes
            Ok("echo \">&#\"", "echo", ">&#");
        }

        [Fact]
        public void Backslash_outside_quotes()
        {
            Ok("echo a\\ b", "echo", "a b");
            Ok("echo \\'x\\' \\\"y\\\"", "echo", "'x'", "\"y\"");
            Ok("echo \\\\", "echo", "\\");
            Ok("echo \\> \\& \\#", "echo", ">", "&", "#");
            Ok("echo \\n", "echo", "n");
            Ok("echo a\\\nb", "echo", "ab");
            Ok("echo trailing\\", "echo", "trailing\\");   // a lone final backslash stays
        }

        [Fact]
        public void Quotes_concatenate_within_a_word()
        {
            Ok("echo a'b c'd\"e f\"g", "echo", "ab cde fg");
            Ok("echo ''", "echo", "");
            Ok("echo \"\" ''x", "echo", "", "x");
            Ok("'' \"\"", "", "");
        }

        [Fact]
        public void Comments()
        {
            Ok("echo hi # a comment", "echo", "hi");
            Ok("echo hi #", "echo", "hi");
            Ok("echo a#b", "echo", "a#b");      // # inside a word is literal
            Ok("echo '#' #x", "echo", "#");
            ParsedCommand p = Ok("echo hi # > f &", "echo", "hi");
            Assert.Null(p.RedirectPath);
            Assert.False(p.Background);
        }

        [Theory]
        [InlineData("echo hi > out.txt")]
        [InlineData("echo hi >out.txt")]
        [InlineData("echo hi>out.txt")]
        [InlineData("echo hi> out.txt")]
        [InlineData("echo >out.txt hi")]
        [InlineData("> out.txt echo hi")]
        public void Redirect_truncate(string line)
        {
            ParsedCommand p = Ok(line, "echo", "hi");
            Assert.Equal("out.txt", p.RedirectPath);
            Assert.False(p.Append);
        }

        [Theory]
        [InlineData("echo hi >> f")]
        [InlineData("echo hi >>f")]
        [InlineData("echo hi>>f")]
        public void Redirect_append(string line)
        {
            ParsedCommand p = Ok(line, "echo", "hi");
            Assert.Equal("f", p.RedirectPath);
            Assert.True(p.Append);
        }

        [Fact]
        public void Redirect_target_may_be_quoted()
        {
            ParsedCommand p = Ok("echo x > 'my file'", "echo", "x");
            Assert.Equal("my file", p.RedirectPath);
            p = Ok("echo x >\"\"", "echo", "x");
            Assert.Equal("", p.RedirectPath);
        }

        [Fact]
        public void Quoted_operators_are_words()
        {
            ParsedCommand p = Ok("echo '>' \">>\" \\> a'&'", "echo", ">", ">>", ">", "a&");
            Assert.Null(p.RedirectPath);
            Assert.False(p.Background);
        }

        [Fact]
        public void Last_redirection_wins()
        {
            ParsedCommand p = Ok("echo x >a >>b", "echo", "x");
            Assert.Equal("b", p.RedirectPath);
            Assert.True(p.Append);
            p = Ok("echo x >>a >b", "echo", "x");
            Assert.Equal("b", p.RedirectPath);
            Assert.False(p.Append);
        }

        [Fact]
        public void Redirection_without_command_is_allowed()
        {
            ParsedCommand p = Ok("> f");
            Assert.Equal("f", p.RedirectPath);
        }

        [Fact]
        public void Digit_before_redirect_is_a_word()
        {
            ParsedCommand p = Ok("echo 2>f", "echo", "2");
            Assert.Equal("f", p.RedirectPath);
        }

        [Theory]
        [InlineData("sleep 10 &")]
        [InlineData("sleep 10&")]
        [InlineData("sleep 10 &  ")]
        [InlineData("sleep 10 & # comment")]
        public void Background(string line)
        {
            ParsedCommand p = Ok(line, "sleep", "10");
            Assert.True(p.Background);
            Assert.Null(p.RedirectPath);
        }

        [Fact]
        public void Background_with_redirect()
        {
            ParsedCommand p = Ok("echo hi >log &", "echo", "hi");
            Assert.True(p.Background);
            Assert.Equal("log", p.RedirectPath);
            p = Ok("echo hi>>log&", "echo", "hi");
            Assert.True(p.Background);
            Assert.True(p.Append);
            Assert.Equal("log", p.RedirectPath);
        }

        [Theory]
        [InlineData("echo 'abc")]
        [InlineData("echo \"abc")]
        [InlineData("echo \"abc\\\"")]
        [InlineData("'")]
        [InlineData("echo ok > 'f")]
        [InlineData("echo a\"b")]
        public void Unterminated_quotes(string line)
        {
            Error(line, ParseError.UnterminatedQuote, "sh: syntax error: unterminated quoted string");
        }

        [Theory]
        [InlineData("echo >")]
        [InlineData("echo >>")]
        [InlineData("echo >   ")]
        [InlineData("echo > # comment")]
        public void Missing_redirect_target(string line)
        {
            Error(line, ParseError.MissingRedirectTarget, "sh: syntax error: unexpected newline");
        }

        [Theory]
        [InlineData("echo > > f", "sh: syntax error: unexpected \">\"")]
        [InlineData("echo >>> f", "sh: syntax error: unexpected \">\"")]
        [InlineData("echo > >>f", "sh: syntax error: unexpected \">>\"")]
        [InlineData("echo > &", "sh: syntax error: unexpected \"&\"")]
        [InlineData("&", "sh: syntax error: unexpected \"&\"")]
        [InlineData("  & ", "sh: syntax error: unexpected \"&\"")]
        [InlineData("echo a & b", "sh: syntax error: \"&\" must end the command")]
        [InlineData("echo a && b", "sh: syntax error: \"&\" must end the command")]
        [InlineData("echo a & >f", "sh: syntax error: \"&\" must end the command")]
        public void Unexpected_tokens(string line, string message)
        {
            Error(line, ParseError.UnexpectedToken, message);
        }

        [Fact]
        public void Sixty_four_words_fit_sixty_five_do_not()
        {
            var sb = new StringBuilder();
            string[] expected = new string[64];
            for (int i = 0; i < 64; i++)
            {
                sb.Append('w').Append(i).Append(' ');
                expected[i] = "w" + i;
            }
            Ok(sb.ToString(), expected);
            ParsedCommand p = Ok(sb + ">f", expected);   // the target is not an argument
            Assert.Equal("f", p.RedirectPath);
            sb.Append("extra");
            Error(sb.ToString(), ParseError.TooManyArguments, "sh: too many arguments");
            Assert.Equal(64, ParsedCommand.MaxWords);
            Assert.Equal(64, CommandLine.MaxWords);
        }

        [Fact]
        public void Nothing_else_is_special()
        {
            Ok("echo $HOME a|b c;d *", "echo", "$HOME", "a|b", "c;d", "*");
        }

        [Fact]
        public void High_chars_pass_through()
        {
            Ok("echo \u00e9\u00ff '\u0080'", "echo", "\u00e9\u00ff", "\u0080");
        }

        [Fact]
        public void Random_lines_never_throw_and_keep_the_invariants()
        {
            var rng = new System.Random(7);
            const string alphabet = "ab '\"\\#>&\t\n$`x ";
            for (int n = 0; n < 20_000; n++)
            {
                int len = rng.Next(0, 40);
                var sb = new StringBuilder();
                for (int i = 0; i < len; i++) sb.Append(alphabet[rng.Next(alphabet.Length)]);
                ParsedCommand p = CommandLine.Parse(sb.ToString());
                Assert.NotNull(p.Argv);
                Assert.Equal(p.Argc, p.Argv.Length);
                Assert.InRange(p.Argc, 0, 64);
                Assert.Equal(p.ErrorKind == ParseError.None, p.Error == null);
                foreach (string w in p.Argv) Assert.NotNull(w);
            }
        }
    }
}
