using System;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    public class LineEditorTests
    {
        private static readonly string[] Commands =
            { "help", "echo", "uname", "uptime", "clear", "dmesg", "repeat", "poweroff", "reboot", "selftest", "panic-test" };

        [Fact]
        public void Plain_line_is_echoed_and_returned()
        {
            var s = new Session(Commands);
            Assert.Equal(EditResult.None, s.Type("echo hi"));
            s.AssertScreenMatches();
            Assert.Equal(EditResult.Line, s.Feed((byte)'\r'));
            Assert.Equal("echo hi", s.Editor.Line);
            Assert.Equal("/ # echo hi", s.Term.Lines[0]);
            Assert.Equal(0, s.Editor.Length);
            Assert.Equal(0, s.Editor.Cursor);
        }

        [Fact]
        public void Lf_alone_ends_a_line()
        {
            var s = new Session();
            Assert.Equal(EditResult.Line, s.Type("ls\n"));
            Assert.Equal("ls", s.Editor.Line);
        }

        [Fact]
        public void Cr_lf_counts_once_even_across_feed_calls()
        {
            var s = new Session();
            s.Type("a");
            Assert.Equal(EditResult.Line, s.Feed((byte)'\r'));
            Assert.Equal(EditResult.None, s.Feed((byte)'\n'));
            s.Type("b\r\n");
            Assert.Equal(new[] { "a", "b" }, s.CompletedLines);
            Assert.Equal(2, s.Results.Count);
        }

        [Fact]
        public void Lf_lf_and_lf_cr_and_cr_cr_are_two_lines()
        {
            var s = new Session();
            s.Type("\n\n");
            Assert.Equal(2, s.CompletedLines.Count);
            s = new Session();
            s.Type("\n\r");
            Assert.Equal(2, s.CompletedLines.Count);
            s = new Session();
            s.Type("\r\r");
            Assert.Equal(2, s.CompletedLines.Count);
        }

        [Fact]
        public void Lf_after_cr_is_only_swallowed_immediately()
        {
            var s = new Session();
            s.Type("\rx\n");
            Assert.Equal(new[] { "", "x" }, s.CompletedLines);
        }

        [Fact]
        public void Empty_line_is_a_line()
        {
            var s = new Session();
            Assert.Equal(EditResult.Line, s.Feed((byte)'\r'));
            Assert.Equal("", s.Editor.Line);
        }

        [Theory]
        [InlineData(0x08)]
        [InlineData(0x7F)]
        public void Backspace_and_del_erase_previous_char(byte key)
        {
            var s = new Session();
            s.Type("abc");
            s.Feed(key);
            Assert.Equal("ab", s.Editor.Current);
            s.AssertScreenMatches();
            Assert.Equal("/ # ab", s.Term.VisibleText(0));
            s.Type("\r");
            Assert.Equal("ab", s.Editor.Line);
        }

        [Fact]
        public void Backspace_at_start_does_nothing()
        {
            var s = new Session();
            s.Term.ClearRaw();
            s.Type("\b\u007f");
            Assert.Equal("", s.Term.Raw.ToString());
            s.Type("x\b\b\b\r");
            Assert.Equal("", s.Editor.Line);
        }

        [Fact]
        public void Backspace_in_middle_redraws_tail()
        {
            var s = new Session();
            s.Type("abcd" + Keys.Left + Keys.Left);
            Assert.Equal(2, s.Editor.Cursor);
            s.Type("\b");
            Assert.Equal("acd", s.Editor.Current);
            Assert.Equal(1, s.Editor.Cursor);
            s.AssertScreenMatches();
            Assert.Equal("/ # acd", s.Term.VisibleText(0));
        }

        [Fact]
        public void Left_right_move_and_insert_in_middle()
        {
            var s = new Session();
            s.Type("ac" + Keys.Left + "b");
            Assert.Equal("abc", s.Editor.Current);
            Assert.Equal(2, s.Editor.Cursor);
            s.AssertScreenMatches();
            s.Type(Keys.Right + "d");
            Assert.Equal("abcd", s.Editor.Current);
            s.AssertScreenMatches();
            s.Type("\r");
            Assert.Equal("abcd", s.Editor.Line);
        }

        [Fact]
        public void Left_uses_backspace_and_right_reemits_the_char()
        {
            var s = new Session();
            s.Type("xy");
            s.Term.ClearRaw();
            s.Type(Keys.Left);
            Assert.Equal("\b", s.Term.Raw.ToString());
            s.Term.ClearRaw();
            s.Type(Keys.Right);
            Assert.Equal("y", s.Term.Raw.ToString());
        }

        [Fact]
        public void Cursor_stops_at_both_ends()
        {
            var s = new Session();
            s.Type("ab" + Keys.Right + Keys.Right);
            Assert.Equal(2, s.Editor.Cursor);
            s.Type(Keys.Left + Keys.Left + Keys.Left + Keys.Left);
            Assert.Equal(0, s.Editor.Cursor);
            s.AssertScreenMatches();
            s.Type("\b");   // nothing before the cursor
            Assert.Equal("ab", s.Editor.Current);
        }

        [Fact]
        public void Ss3_arrows_work()
        {
            var s = new Session();
            s.Type("ac" + Keys.Ss3Left + "b" + Keys.Ss3Right + "d\r");
            Assert.Equal("abcd", s.Editor.Line);
        }

        [Theory]
        [InlineData("\u001b[H", "\u001b[F")]
        [InlineData("\u001b[1~", "\u001b[4~")]
        [InlineData("\u001b[7~", "\u001b[8~")]
        [InlineData("\u001bOH", "\u001bOF")]
        public void Home_and_end(string home, string end)
        {
            var s = new Session();
            s.Type("bc" + home);
            Assert.Equal(0, s.Editor.Cursor);
            s.Type("a");
            s.AssertScreenMatches();
            s.Type(end);
            Assert.Equal(3, s.Editor.Cursor);
            s.Type("d");
            s.AssertScreenMatches();
            s.Type("\r");
            Assert.Equal("abcd", s.Editor.Line);
        }

        [Fact]
        public void Delete_key_removes_char_under_cursor()
        {
            var s = new Session();
            s.Type("abc" + Keys.Home + Keys.Delete);
            Assert.Equal("bc", s.Editor.Current);
            Assert.Equal(0, s.Editor.Cursor);
            s.AssertScreenMatches();
            s.Type(Keys.End + Keys.Delete);   // nothing under the cursor
            Assert.Equal("bc", s.Editor.Current);
        }

        [Fact]
        public void Ctrl_u_erases_to_start_of_line()
        {
            var s = new Session();
            s.Type("hello world" + Keys.CtrlU);
            Assert.Equal("", s.Editor.Current);
            s.AssertScreenMatches();
            Assert.Equal("/ #", s.Term.VisibleText(0));
            s.Type("ls\r");
            Assert.Equal("ls", s.Editor.Line);
        }

        [Fact]
        public void Ctrl_u_in_middle_keeps_tail()
        {
            var s = new Session();
            s.Type("abcdef" + Keys.Left + Keys.Left + Keys.CtrlU);
            Assert.Equal("ef", s.Editor.Current);
            Assert.Equal(0, s.Editor.Cursor);
            s.AssertScreenMatches();
            Assert.Equal("/ # ef", s.Term.VisibleText(0));
        }

        [Fact]
        public void Ctrl_c_cancels_the_line()
        {
            var s = new Session();
            s.Type("partial");
            Assert.Equal(EditResult.Cancelled, s.Type(Keys.CtrlC));
            Assert.Equal("/ # partial^C", s.Term.Lines[0]);
            Assert.Equal("", s.Editor.Line);
            Assert.Equal(0, s.Editor.Length);
            Assert.Equal(0, s.Editor.History.Count);
            s.Type("next\r");
            Assert.Equal(new[] { "next" }, s.CompletedLines);
        }

        [Fact]
        public void Ctrl_d_and_other_control_chars_are_ignored()
        {
            var s = new Session();
            s.Type("ab");
            s.Term.ClearRaw();
            for (int c = 0; c < 0x20; c++)
            {
                if (c == 0x03 || c == 0x08 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x15 || c == 0x1B) continue;
                Assert.Equal(EditResult.None, s.Feed((byte)c));
            }
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("ab", s.Editor.Current);
            Assert.Equal(2, s.Editor.Cursor);
            s.Type("\r");
            Assert.Equal("ab", s.Editor.Line);
        }

        [Fact]
        public void High_bytes_are_ordinary_chars()
        {
            var s = new Session();
            s.TypeBytes(0x80, (byte)'a', 0xC3, 0xA9, 0xFF, (byte)'\r');
            string line = s.Editor.Line;
            Assert.Equal(5, line.Length);
            Assert.Equal('\u0080', line[0]);
            Assert.Equal('a', line[1]);
            Assert.Equal('\u00C3', line[2]);
            Assert.Equal('\u00A9', line[3]);
            Assert.Equal('\u00FF', line[4]);
            Assert.Equal("/ # \u0080a\u00C3\u00A9\u00FF", s.Term.Lines[0]);
        }

        [Theory]
        [InlineData("\u001b[Z")]         // shift-tab
        [InlineData("\u001b[1;5C")]      // ctrl-right
        [InlineData("\u001b[2~")]        // insert
        [InlineData("\u001b[5~")]        // page up
        [InlineData("\u001b[99999~")]
        [InlineData("\u001b[?25h")]
        [InlineData("\u001bx")]          // alt-x
        [InlineData("\u001bOP")]         // F1
        [InlineData("\u001b[15~")]       // F5
        [InlineData("\u001b[1C")]        // parameterised arrows are not plain arrows
        public void UnknownEscapeSequencesAreIgnored(string seq)
        {
            var s = new Session();
            s.Type("ab" + Keys.Left);
            s.Term.ClearRaw();
            s.Type(seq);
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("ab", s.Editor.Current);
            Assert.Equal(1, s.Editor.Cursor);
            s.Type("X\r");
            Assert.Equal("aXb", s.Editor.Line);
        }

        [Fact]
        public void Enter_inside_an_escape_sequence_still_ends_the_line()
        {
            var s = new Session();
            s.Type("ab\u001b[");
            Assert.Equal(EditResult.Line, s.Type("\r"));
            Assert.Equal("ab", s.Editor.Line);
            s.Type("C\r");   // the sequence was abandoned: 'C' is text
            Assert.Equal("C", s.Editor.Line);
        }

        [Fact]
        public void Ctrl_c_inside_an_escape_sequence_cancels()
        {
            var s = new Session();
            s.Type("ab\u001b");
            Assert.Equal(EditResult.Cancelled, s.Type(Keys.CtrlC));
        }

        [Fact]
        public void Esc_esc_starts_a_fresh_sequence()
        {
            var s = new Session();
            s.Type("ab\u001b\u001b[D");
            Assert.Equal(1, s.Editor.Cursor);
        }

        [Fact]
        public void Backspace_aborts_a_sequence_and_erases()
        {
            var s = new Session();
            s.Type("ab\u001b[\u007f");
            Assert.Equal("a", s.Editor.Current);
        }

        [Fact]
        public void Exactly_capacity_chars_fit()
        {
            var s = new Session();
            string text = new string('x', LineEditor.Capacity);
            s.Type(text);
            Assert.False(s.Editor.Overflowing);
            Assert.Equal(EditResult.Line, s.Type("\r"));
            Assert.Equal(text, s.Editor.Line);
            Assert.Equal(1024, LineEditor.Capacity);
        }

        [Fact]
        public void Overlong_line_gives_one_too_long_then_next_line_works()
        {
            var s = new Session();
            s.Type(new string('y', 3000));
            Assert.True(s.Editor.Overflowing);
            Assert.True(s.Editor.Length <= LineEditor.Capacity);
            Assert.Empty(s.Results);
            Assert.Equal(EditResult.TooLong, s.Feed((byte)'\r'));
            Assert.Equal(EditResult.None, s.Feed((byte)'\n'));
            Assert.Single(s.Results);
            Assert.Empty(s.CompletedLines);
            Assert.Equal(0, s.Editor.History.Count);

            s.Type("echo ok\r");
            Assert.Equal(new[] { EditResult.TooLong, EditResult.Line }, s.Results);
            Assert.Equal("echo ok", s.Editor.Line);
        }

        [Fact]
        public void Overflow_stops_echo_and_ignores_editing_keys()
        {
            var s = new Session(Commands);
            s.Type(new string('z', LineEditor.Capacity));
            s.Term.ClearRaw();
            s.Type("more" + Keys.Left + "\b" + Keys.CtrlU + Keys.CtrlC + Keys.Tab + Keys.Tab + Keys.Up + "\u0080");
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Empty(s.Results);
            Assert.Equal(EditResult.TooLong, s.Type("\n"));
            Assert.Equal("\n", s.Term.Raw.ToString().Substring(0, 1));
        }

        [Fact]
        public void Overflow_by_inserting_in_the_middle()
        {
            var s = new Session();
            s.Type(new string('a', LineEditor.Capacity) + Keys.Home + "b");
            Assert.True(s.Editor.Overflowing);
            Assert.Equal(EditResult.TooLong, s.Type("\r"));
        }

        [Fact]
        public void History_up_down_navigation()
        {
            var s = new Session();
            s.Type("one\rtwo\rthree\r");
            s.Type("cur");
            s.Type(Keys.Up);
            Assert.Equal("three", s.Editor.Current);
            s.AssertScreenMatches();
            s.Type(Keys.Up);
            Assert.Equal("two", s.Editor.Current);
            s.AssertScreenMatches();
            s.Type(Keys.Up + Keys.Up + Keys.Up);   // stops at the oldest
            Assert.Equal("one", s.Editor.Current);
            s.Type(Keys.Down);
            Assert.Equal("two", s.Editor.Current);
            s.Type(Keys.Down + Keys.Down);
            Assert.Equal("cur", s.Editor.Current);   // the line being typed comes back
            s.AssertScreenMatches();
            s.Type(Keys.Down);
            Assert.Equal("cur", s.Editor.Current);
            Assert.Equal(3, s.Editor.Cursor);
        }

        [Fact]
        public void History_entry_can_be_edited_and_run()
        {
            var s = new Session();
            s.Type("echo a\r" + Keys.Up + "\bb\r");
            Assert.Equal(new[] { "echo a", "echo b" }, s.CompletedLines);
            Assert.Equal(2, s.Editor.History.Count);
            Assert.Equal("echo b", s.Editor.History.Newest(0));
        }

        [Fact]
        public void History_longer_line_replaced_by_shorter_leaves_no_stale_chars()
        {
            var s = new Session();
            s.Type("x\r");
            s.Type("a much longer line" + Keys.Left + Keys.Left + Keys.Up);
            Assert.Equal("x", s.Editor.Current);
            s.AssertScreenMatches();
            Assert.Equal("/ # x", s.Term.VisibleText(0));
        }

        [Fact]
        public void History_with_no_entries_ignores_arrows()
        {
            var s = new Session();
            s.Type("abc");
            s.Term.ClearRaw();
            s.Type(Keys.Up + Keys.Down);
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("abc", s.Editor.Current);
        }

        [Fact]
        public void History_skips_empty_blank_and_consecutive_duplicates()
        {
            var s = new Session();
            s.Type("ls\rls\r\r   \rpwd\rls\r");
            var h = s.Editor.History;
            Assert.Equal(3, h.Count);
            Assert.Equal("ls", h.Get(0));
            Assert.Equal("pwd", h.Get(1));
            Assert.Equal("ls", h.Get(2));
        }

        [Fact]
        public void History_is_bounded_to64()
        {
            var s = new Session();
            for (int i = 0; i < 100; i++) s.Type("cmd" + i + "\r");
            Assert.Equal(64, s.Editor.History.Count);
            Assert.Equal("cmd36", s.Editor.History.Get(0));
            Assert.Equal("cmd99", s.Editor.History.Newest(0));
            for (int i = 0; i < 200; i++) s.Type(Keys.Up);
            Assert.Equal("cmd36", s.Editor.Current);
        }

        [Fact]
        public void History_navigation_resets_after_enter()
        {
            var s = new Session();
            s.Type("a\rb\r" + Keys.Up + Keys.Up + "\r");
            Assert.Equal("a", s.Editor.Line);
            s.Type(Keys.Up);
            Assert.Equal("a", s.Editor.Current);
            s.Type(Keys.Up);
            Assert.Equal("b", s.Editor.Current);
        }

        [Fact]
        public void Tab_completes_unique_prefix_and_adds_space()
        {
            var s = new Session(Commands);
            s.Type("ec" + Keys.Tab);
            Assert.Equal("echo ", s.Editor.Current);
            s.AssertScreenMatches();
            s.Type("hi\r");
            Assert.Equal("echo hi", s.Editor.Line);
        }

        [Fact]
        public void Tab_on_complete_word_adds_only_a_space()
        {
            var s = new Session(Commands);
            s.Type("help" + Keys.Tab);
            Assert.Equal("help ", s.Editor.Current);
        }

        [Fact]
        public void Tab_after_leading_blanks()
        {
            var s = new Session(Commands);
            s.Type("  dm" + Keys.Tab);
            Assert.Equal("  dmesg ", s.Editor.Current);
        }

        [Fact]
        public void Tab_with_no_match_does_nothing()
        {
            var s = new Session(Commands);
            s.Type("xyz");
            s.Term.ClearRaw();
            Assert.Equal(EditResult.None, s.Type(Keys.Tab));
            Assert.Equal(EditResult.None, s.Type(Keys.Tab));
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("xyz", s.Editor.Current);
        }

        [Fact]
        public void Tab_in_second_word_does_nothing()
        {
            var s = new Session(Commands);
            s.Type("echo ec");
            s.Term.ClearRaw();
            s.Type(Keys.Tab + Keys.Tab);
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("echo ec", s.Editor.Current);
        }

        // Paths, as ash completes them: from the directory the word names so far (the working
        // directory, /w, without a '/'), a directory with '/' and no space, a file with a space,
        // hidden names only when asked for, the first word too once it has a '/'.
        private static FakeTree Files() => new FakeTree(
            "/config/containers/web/page_limit", "/config/containers/web/page_usage", "/config/containers/db/id",
            "/w/notes.txt", "/w/.hidden", "/w/nothing/");

        [Fact]
        public void Tab_completes_a_path_one_directory_at_a_time()
        {
            var s = new Session(Files(), Commands);
            s.Type("echo 5 > /con" + Keys.Tab);
            Assert.Equal("echo 5 > /config/", s.Editor.Current);
            s.Type("c" + Keys.Tab + "w" + Keys.Tab + "page_l" + Keys.Tab);
            Assert.Equal("echo 5 > /config/containers/web/page_limit ", s.Editor.Current);
            s.AssertScreenMatches();
        }

        [Fact]
        public void Tab_completes_relative_names_and_hidden_ones_only_when_asked()
        {
            var s = new Session(Files(), Commands);
            s.Type("cat no" + Keys.Tab);
            Assert.Equal("cat not", s.Editor.Current);           // notes.txt / nothing/: "not" in common
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));
            Assert.Equal("notes.txt  nothing/", s.Term.Lines[s.Term.Lines.Count - 1]);   // byte order
            s.Type("e" + Keys.Tab);
            Assert.Equal("cat notes.txt ", s.Editor.Current);
            s = new Session(Files(), Commands);
            s.Type("cat " + Keys.Tab + Keys.Tab);
            Assert.DoesNotContain(".hidden", s.Term.Lines[s.Term.Lines.Count - 1]);
            s = new Session(Files(), Commands);
            s.Type("cat ." + Keys.Tab);
            Assert.Equal("cat .hidden ", s.Editor.Current);
        }

        [Fact]
        public void Tab_completes_a_first_word_with_a_slash_as_a_path_and_leaves_unknown_ones()
        {
            var s = new Session(Files(), Commands);
            s.Type("/config/containers/d" + Keys.Tab);
            Assert.Equal("/config/containers/db/", s.Editor.Current);
            s = new Session(Files(), Commands);
            s.Type("ls /nowhere/x");
            s.Term.ClearRaw();
            s.Type(Keys.Tab + Keys.Tab);
            Assert.Equal("", s.Term.Raw.ToString());
            Assert.Equal("ls /nowhere/x", s.Editor.Current);
        }

        [Fact]
        public void Ambiguous_tab_completes_common_prefix_then_lists_on_second_tab()
        {
            var s = new Session(Commands);
            s.Type("p");
            Assert.Equal(EditResult.None, s.Type(Keys.Tab));
            Assert.Equal("p", s.Editor.Current);   // poweroff / panic-test: nothing in common after p
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));
            Assert.Equal("/ # p", s.Term.Lines[s.Term.Lines.Count - 2]);
            Assert.Equal("poweroff  panic-test", s.Term.Lines[s.Term.Lines.Count - 1]);
            Assert.Equal("/ # p", s.Term.CurrentLine);   // the session redrew prompt + line
            s.AssertScreenMatches();
            s.Type("o" + Keys.Tab);
            Assert.Equal("poweroff ", s.Editor.Current);
        }

        [Fact]
        public void Ambiguous_tab_extends_to_longest_common_prefix()
        {
            var s = new Session(Commands);
            s.Type("u" + Keys.Tab);
            Assert.Equal("u", s.Editor.Current);  // uname / uptime
            s = new Session("selftest", "select", "sleep");
            s.Type("se" + Keys.Tab);
            Assert.Equal("sel", s.Editor.Current);
            s.AssertScreenMatches();
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));
            Assert.Equal("selftest  select", s.Term.Lines[s.Term.Lines.Count - 1]);
            Assert.Equal("sel", s.Editor.Current);
        }

        [Fact]
        public void Second_tab_must_be_consecutive()
        {
            var s = new Session(Commands);
            s.Type("u" + Keys.Tab + "p" + Keys.Tab);
            Assert.Equal("uptime ", s.Editor.Current);
            s = new Session(Commands);
            s.Type("u" + Keys.Tab + "x\b" + Keys.Tab);
            Assert.Empty(s.Results);   // the Tab after other keys is a first Tab again
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));
        }

        [Fact]
        public void Tab_on_empty_line_lists_all_on_second_tab()
        {
            var s = new Session("a", "b", "c");
            Assert.Equal(EditResult.None, s.Type(Keys.Tab));
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));
            Assert.Equal("a  b  c", s.Term.Lines[s.Term.Lines.Count - 1]);
            Assert.Equal(EditResult.RedrawPrompt, s.Type(Keys.Tab));   // and again
        }

        [Fact]
        public void Duplicate_names_count_as_one_match()
        {
            var s = new Session("echo", "echo", "exit");
            s.Type("ec" + Keys.Tab);
            Assert.Equal("echo ", s.Editor.Current);
            s = new Session("echo", "echo", "exit");
            s.Type("e" + Keys.Tab + Keys.Tab);
            Assert.Equal("echo  exit", s.Term.Lines[s.Term.Lines.Count - 1]);
        }

        [Fact]
        public void Tab_completion_in_middle_of_line_keeps_tail()
        {
            var s = new Session(Commands);
            s.Type("dm hello" + Keys.Home + Keys.Right + Keys.Right + Keys.Tab);
            Assert.Equal("dmesg hello", s.Editor.Current);
            Assert.Equal(5, s.Editor.Cursor);
            s.AssertScreenMatches();
        }

        [Fact]
        public void Tab_completion_that_does_not_fit_is_dropped()
        {
            var s = new Session("abcdef");
            s.Type(new string(' ', LineEditor.Capacity - 2) + "ab" + Keys.Tab);
            Assert.False(s.Editor.Overflowing);
            Assert.Equal(LineEditor.Capacity, s.Editor.Length);
            Assert.Equal(EditResult.Line, s.Type("\r"));
        }

        [Fact]
        public void Null_command_list_and_null_names_are_safe()
        {
            var s = new Session((string[])null);
            s.Type("a" + Keys.Tab + Keys.Tab + "\r");
            Assert.Equal("a", s.Editor.Line);
            s = new Session("ab", null, "ac");
            s.Type("a" + Keys.Tab + Keys.Tab);
            Assert.Equal("ab  ac", s.Term.Lines[s.Term.Lines.Count - 1]);
        }

        [Fact]
        public void Redraw_restores_cursor_position()
        {
            var s = new Session();
            s.Type("abcdef" + Keys.Left + Keys.Left);
            s.Term.ClearRaw();
            s.Editor.Redraw();
            Assert.Equal("abcdef\b\b", s.Term.Raw.ToString());
        }

        [Fact]
        public void Clear_drops_the_line()
        {
            var s = new Session();
            s.Type("abc" + Keys.Up);
            s.Editor.Clear();
            Assert.Equal(0, s.Editor.Length);
            s.Type("x\r");
            Assert.Equal("x", s.Editor.Line);
        }

        [Fact]
        public void Echo_uses_only_printables_spaces_backspaces_and_newlines()
        {
            var s = new Session(Commands);
            s.Type("echo hello" + Keys.Home + Keys.Delete + Keys.End + "\b" + Keys.Left + Keys.CtrlU + "p" + Keys.Tab + Keys.Tab + Keys.Up + Keys.Down + "\r");
            foreach (char c in s.Term.Raw.ToString())
                Assert.True(c == '\b' || c == '\n' || (c >= 0x20 && c < 0x7F), "unexpected output char " + (int)c);
        }

        [Theory]
        [InlineData(1)]
        [InlineData(2)]
        [InlineData(3)]
        public void Random_bytes_never_break_the_editor(int seed)
        {
            var rng = new Random(seed);
            var s = new Session(Commands);
            string[] pieces =
            {
                Keys.Left, Keys.Right, Keys.Up, Keys.Down, Keys.Home, Keys.End, Keys.Home1, Keys.End4, Keys.Delete,
                Keys.Ss3Left, Keys.Ss3Right, "\u001b[", "\u001bO", "\u001b", "\u001b[1;5D", "\u001b[12345678~", "\t", "\t\t",
                "\b", "\u007f", Keys.CtrlU, "\r\n", "ec", "p",
            };
            for (int n = 0; n < 100_000; n++)
            {
                int kind = rng.Next(100);
                if (kind < 40) FeedChecked(s, (byte)rng.Next(0x20, 0x7F));
                else if (kind < 55) FeedChecked(s, (byte)rng.Next(256));
                else if (kind < 60) FeedChecked(s, (byte)rng.Next(0x20));
                else if (kind < 62) FeedChecked(s, (byte)(rng.Next(2) == 0 ? '\r' : '\n'));
                else if (kind < 63 && rng.Next(20) == 0) FeedChecked(s, 0x03);
                else
                {
                    foreach (char c in pieces[rng.Next(pieces.Length)]) FeedChecked(s, (byte)c);
                }
            }
            foreach (string line in s.CompletedLines) Assert.True(line.Length <= LineEditor.Capacity);
            Assert.True(s.Editor.History.Count <= History.Capacity);
        }

        [Fact]
        public void Random_long_lines_overflow_and_recover()
        {
            var rng = new Random(42);
            var s = new Session(Commands);
            int tooLong = 0, lines = 0;
            for (int n = 0; n < 100_000; n++)
            {
                byte b = rng.Next(1500) == 0 ? (byte)'\r' : (byte)rng.Next(0x20, 0x100);
                EditResult r = FeedChecked(s, b);
                if (r == EditResult.TooLong) tooLong++;
                if (r == EditResult.Line) lines++;
            }
            Assert.True(tooLong > 0, "the fuzz never overflowed");
            Assert.True(lines > 0, "the fuzz never completed a line");
            Assert.Equal(tooLong, CountOf(s, EditResult.TooLong));
        }

        private static int CountOf(Session s, EditResult r)
        {
            int n = 0;
            foreach (EditResult x in s.Results) if (x == r) n++;
            return n;
        }

        private static EditResult FeedChecked(Session s, byte b)
        {
            EditResult r = s.Feed(b);
            LineEditor e = s.Editor;
            Assert.InRange(e.Length, 0, LineEditor.Capacity);
            Assert.InRange(e.Cursor, 0, e.Length);
            if (r == EditResult.Line) Assert.True(e.Line.Length <= LineEditor.Capacity);
            if (!e.Overflowing) s.AssertScreenMatches();
            return r;
        }
    }
}
