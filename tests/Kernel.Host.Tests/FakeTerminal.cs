// A TerminalOutput that records everything and models a dumb terminal: printable chars overwrite
// the cell under the cursor and advance it, '\b' moves left (never past column 0), '\n' starts a
// new line at column 0. Lines that scrolled away are kept in Lines.
using System.Collections.Generic;
using System.Text;
using Kernel.Shell;

namespace Kernel.Host.Tests
{
    internal sealed class FakeTerminal : TerminalOutput
    {
        public readonly StringBuilder Raw = new StringBuilder();
        public readonly List<string> Lines = new List<string>();
        private readonly StringBuilder _current = new StringBuilder();
        private int _column;

        public int Column => _column;
        public string CurrentLine => _current.ToString();
        public int StringWrites;

        public override void Write(char c)
        {
            Raw.Append(c);
            if (c == '\n')
            {
                Lines.Add(_current.ToString());
                _current.Clear();
                _column = 0;
            }
            else if (c == '\b')
            {
                if (_column > 0) _column--;
            }
            else
            {
                if (_column < _current.Length) _current[_column] = c;
                else _current.Append(c);
                _column++;
            }
        }

        public override void Write(string s)
        {
            StringWrites++;
            foreach (char c in s) Write(c);
        }

        public void ClearRaw() => Raw.Clear();

        // The visible line minus trailing blank cells left by erasing.
        public string VisibleText(int from)
        {
            string s = _current.ToString();
            if (from > s.Length) return "";
            return s.Substring(from).TrimEnd(' ');
        }
    }

    // An editor, its terminal and a prompt, driven like Commands/Shell.cs drives them.
    internal sealed class Session
    {
        public const string Prompt = "/ # ";
        public readonly FakeTerminal Term = new FakeTerminal();
        public readonly LineEditor Editor;
        public readonly List<EditResult> Results = new List<EditResult>();
        public readonly List<string> CompletedLines = new List<string>();

        public Session(params string[] commands) : this(null, commands) { }

        public Session(GlobTree files, params string[] commands)
        {
            Editor = new LineEditor(Term, commands, files);
            Term.Write(Prompt);
        }

        public EditResult Feed(byte b)
        {
            EditResult r = Editor.Feed(b);
            if (r != EditResult.None) Results.Add(r);
            switch (r)
            {
                case EditResult.Line:
                    CompletedLines.Add(Editor.Line);
                    Term.Write(Prompt);
                    break;
                case EditResult.Cancelled:
                    Term.Write(Prompt);
                    break;
                case EditResult.TooLong:
                    Term.Write("sh: line too long\n");
                    Term.Write(Prompt);
                    break;
                case EditResult.RedrawPrompt:
                    Term.Write(Prompt);
                    Editor.Redraw();
                    break;
            }
            return r;
        }

        public EditResult Type(string s)
        {
            EditResult last = EditResult.None;
            foreach (char c in s) last = Feed((byte)c);
            return last;
        }

        public EditResult TypeBytes(params byte[] bytes)
        {
            EditResult last = EditResult.None;
            foreach (byte b in bytes) last = Feed(b);
            return last;
        }

        // The screen shows prompt + the editor's line, with the cursor at the editor's cursor.
        public void AssertScreenMatches()
        {
            string line = Term.CurrentLine;
            string expected = Prompt + Editor.Current;
            Xunit.Assert.True(line.Length >= expected.Length, "screen line shorter than prompt + buffer: '" + line + "'");
            Xunit.Assert.Equal(expected, line.Substring(0, expected.Length));
            for (int i = expected.Length; i < line.Length; i++)
                Xunit.Assert.True(line[i] == ' ', "stale char on screen after the line: '" + line + "'");
            Xunit.Assert.Equal(Prompt.Length + Editor.Cursor, Term.Column);
        }
    }

    internal static class Keys
    {
        public const string Left = "\u001b[D";
        public const string Right = "\u001b[C";
        public const string Up = "\u001b[A";
        public const string Down = "\u001b[B";
        public const string Home = "\u001b[H";
        public const string End = "\u001b[F";
        public const string Home1 = "\u001b[1~";
        public const string End4 = "\u001b[4~";
        public const string Delete = "\u001b[3~";
        public const string Ss3Left = "\u001bOD";
        public const string Ss3Right = "\u001bOC";
        public const string Backspace = "\b";
        public const string Del = "\u007f";
        public const string CtrlU = "\u0015";
        public const string CtrlC = "\u0003";
        public const string CtrlD = "\u0004";
        public const string Tab = "\t";
    }
}
