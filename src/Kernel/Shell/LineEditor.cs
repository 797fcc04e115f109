// The shell's line editor: turns terminal input bytes (serial, or the keyboard driver, which
// speaks the same ANSI dialect) into lines, echoing and redrawing as it goes. The caller prints
// the prompt; the editor only ever moves within the text after it.
//
// Keys: printable bytes and bytes >= 0x80 (kept as chars 0x80..0xFF) insert at the cursor;
// 0x08 and 0x7F erase before it; ESC [ D / C (or ESC O D / C) move left / right; ESC [ H / F,
// ESC O H / F, ESC [ 1~ / 7~ and ESC [ 4~ / 8~ go home / end; ESC [ 3~ deletes under the cursor;
// ESC [ A / B (or ESC O A / B) walk the history; Ctrl-U erases from the start to the cursor;
// Ctrl-C cancels the line; Tab completes the command name (first word) or, given a file tree,
// a path (any other word, or a first word with a '/'), as busybox's ash does. Ctrl-D, every other
// control byte and every unknown or malformed escape sequence are ignored.
// Enter is CR or LF; the LF of a CR LF pair is swallowed even when it comes in a later Feed.
// A control byte inside an escape sequence aborts the sequence and is then handled as itself,
// so Enter or Ctrl-C always work.
//
// Invariants: 0 <= _cursor <= _length <= Capacity. Outside overflow the terminal shows
// _buffer[0.._length) right after the prompt with its cursor _cursor cells into it; echo uses only
// plain characters, spaces and "\b", so the VGA console and dumb serial terminals agree.
// Overflow: a character that does not fit sets _overflow; from then on every byte but Enter is
// dropped silently, and Enter reports TooLong once and starts a fresh line.
// History walk: _historyAge is -1 on the line being typed, else the age of the entry shown
// (0 = newest); the line being typed is kept in _saved while an entry is shown.
namespace Kernel.Shell
{
    public enum EditResult
    {
        None,          // keep feeding
        Line,          // a line is complete: read Line
        Cancelled,     // Ctrl-C: "^C" and a newline were echoed, print a new prompt
        TooLong,       // the line exceeded Capacity and was discarded up to Enter
        RedrawPrompt,  // completions were listed: print the prompt, then call Redraw()
    }

    public abstract class TerminalOutput
    {
        public abstract void Write(char c);
        public abstract void Write(string s);
    }

    public sealed class LineEditor
    {
        public const int Capacity = 1024;

        private const int EscNone = 0, EscStart = 1, EscCsi = 2, EscSs3 = 3;
        private const int MaxCsiDigits = 4;

        private readonly TerminalOutput _out;
        private readonly string[] _commands;
        private readonly GlobTree _files;      // null: no path completion
        private readonly History _history = new History();
        private readonly char[] _buffer = new char[Capacity];
        private readonly char[] _saved = new char[Capacity];
        private int _savedLength;
        private int _length;
        private int _cursor;
        private bool _overflow;
        private bool _afterCr;
        private bool _lastWasTab;
        private int _escape;
        private int _csiParameter;
        private int _csiDigits;
        private bool _csiMalformed;
        private int _historyAge = -1;
        private string _line = string.Empty;

        public LineEditor(TerminalOutput output, string[] commandNames, GlobTree files = null)
        {
            _out = output;
            _commands = commandNames != null ? commandNames : new string[0];
            _files = files;
        }

        // The last completed line (empty after Cancelled or TooLong).
        public string Line => _line;
        public int Length => _length;
        public int Cursor => _cursor;
        public bool Overflowing => _overflow;
        public History History => _history;

        // The line being edited; allocates, meant for diagnostics and tests.
        public string Current => new string(_buffer, 0, _length);

        public EditResult Feed(byte b)
        {
            if (_afterCr)
            {
                _afterCr = false;
                if (b == (byte)'\n') return EditResult.None;
            }
            bool secondTab = _lastWasTab;
            _lastWasTab = false;

            if (b == (byte)'\r' || b == (byte)'\n')
            {
                _afterCr = b == (byte)'\r';
                return Enter();
            }
            if (_overflow) return EditResult.None;

            if (_escape != EscNone)
            {
                if (b >= 0x20 && b <= 0x7E)
                {
                    FeedEscape((char)b);
                    return EditResult.None;
                }
                _escape = EscNone;  // aborted: handle b itself
            }

            switch (b)
            {
                case 0x1B:
                    _escape = EscStart;
                    return EditResult.None;
                case 0x03:  // Ctrl-C
                    _out.Write("^C");
                    _out.Write('\n');
                    _line = string.Empty;
                    ResetLine();
                    return EditResult.Cancelled;
                case 0x08:
                case 0x7F:
                    Backspace();
                    return EditResult.None;
                case 0x15:  // Ctrl-U
                    KillToStart();
                    return EditResult.None;
                case 0x09:
                    return Complete(secondTab);
            }
            if (b < 0x20) return EditResult.None;
            InsertChar((char)b);
            return EditResult.None;
        }

        // Reprints the line after the caller printed the prompt (after RedrawPrompt, or whenever
        // the screen was disturbed) and puts the terminal cursor back where the editor's is.
        public void Redraw()
        {
            for (int i = 0; i < _length; i++) _out.Write(_buffer[i]);
            Backspaces(_length - _cursor);
        }

        // Drops the line being edited without echoing anything (e.g. the caller cleared the screen).
        public void Clear()
        {
            ResetLine();
        }

        private void ResetLine()
        {
            _length = 0;
            _cursor = 0;
            _overflow = false;
            _escape = EscNone;
            _lastWasTab = false;
            _historyAge = -1;
            _savedLength = 0;
        }

        private EditResult Enter()
        {
            _out.Write('\n');
            if (_overflow)
            {
                _line = string.Empty;
                ResetLine();
                return EditResult.TooLong;
            }
            _line = new string(_buffer, 0, _length);
            _history.Add(_line);
            ResetLine();
            return EditResult.Line;
        }

        // c is 0x20..0x7E.
        private void FeedEscape(char c)
        {
            if (_escape == EscStart)
            {
                if (c == '[')
                {
                    _escape = EscCsi;
                    _csiParameter = 0;
                    _csiDigits = 0;
                    _csiMalformed = false;
                }
                else if (c == 'O') _escape = EscSs3;
                else _escape = EscNone;  // Alt-<key> and the like
                return;
            }
            if (_escape == EscSs3)
            {
                _escape = EscNone;
                if (c == 'A' || c == 'B' || c == 'C' || c == 'D' || c == 'H' || c == 'F') Key(c);
                return;
            }
            // CSI: parameter bytes 0x30..0x3F, intermediates 0x20..0x2F, then a final byte.
            if (c >= '0' && c <= '9')
            {
                if (_csiDigits < MaxCsiDigits) _csiParameter = _csiParameter * 10 + (c - '0');
                else _csiMalformed = true;
                _csiDigits++;
                return;
            }
            if (c < 0x40)
            {
                _csiMalformed = true;  // ';', '?', modifiers, intermediates: not a key we know
                return;
            }
            _escape = EscNone;
            if (_csiMalformed) return;
            if (c == '~')
            {
                if (_csiDigits == 0) return;
                if (_csiParameter == 1 || _csiParameter == 7) MoveHome();
                else if (_csiParameter == 4 || _csiParameter == 8) MoveEnd();
                else if (_csiParameter == 3) DeleteAtCursor();
                return;
            }
            if (_csiDigits == 0) Key(c);
        }

        private void Key(char final)
        {
            switch (final)
            {
                case 'A': HistoryOlder(); break;
                case 'B': HistoryNewer(); break;
                case 'C': MoveRight(); break;
                case 'D': MoveLeft(); break;
                case 'H': MoveHome(); break;
                case 'F': MoveEnd(); break;
            }
        }

        private void InsertChar(char c)
        {
            if (_length == Capacity)
            {
                _overflow = true;
                return;
            }
            for (int i = _length; i > _cursor; i--) _buffer[i] = _buffer[i - 1];
            _buffer[_cursor] = c;
            _length++;
            _cursor++;
            _out.Write(c);
            RedrawTail(0);
        }

        // Inserts s[from..from+count) at the cursor; false (nothing changed) when it does not fit.
        private bool InsertString(string s, int from, int count)
        {
            if (count <= 0) return true;
            if (_length + count > Capacity) return false;
            for (int i = _length - 1; i >= _cursor; i--) _buffer[i + count] = _buffer[i];
            for (int i = 0; i < count; i++)
            {
                char c = s[from + i];
                _buffer[_cursor + i] = c;
                _out.Write(c);
            }
            _length += count;
            _cursor += count;
            RedrawTail(0);
            return true;
        }

        private void Backspace()
        {
            if (_cursor == 0) return;
            for (int i = _cursor; i < _length; i++) _buffer[i - 1] = _buffer[i];
            _length--;
            _cursor--;
            _out.Write('\b');
            RedrawTail(1);
        }

        private void DeleteAtCursor()
        {
            if (_cursor == _length) return;
            for (int i = _cursor + 1; i < _length; i++) _buffer[i - 1] = _buffer[i];
            _length--;
            RedrawTail(1);
        }

        private void KillToStart()
        {
            if (_cursor == 0) return;
            int removed = _cursor;
            Backspaces(removed);
            for (int i = removed; i < _length; i++) _buffer[i - removed] = _buffer[i];
            _length -= removed;
            _cursor = 0;
            RedrawTail(removed);
        }

        // The terminal cursor is at _cursor: rewrite the tail, blank `erased` stale cells after
        // it, and come back to _cursor.
        private void RedrawTail(int erased)
        {
            for (int i = _cursor; i < _length; i++) _out.Write(_buffer[i]);
            for (int i = 0; i < erased; i++) _out.Write(' ');
            Backspaces(_length - _cursor + erased);
        }

        private void Backspaces(int n)
        {
            for (int i = 0; i < n; i++) _out.Write('\b');
        }

        private void MoveLeft()
        {
            if (_cursor == 0) return;
            _cursor--;
            _out.Write('\b');
        }

        private void MoveRight()
        {
            if (_cursor == _length) return;
            _out.Write(_buffer[_cursor]);
            _cursor++;
        }

        private void MoveHome()
        {
            Backspaces(_cursor);
            _cursor = 0;
        }

        private void MoveEnd()
        {
            while (_cursor < _length) _out.Write(_buffer[_cursor++]);
        }

        // Replaces the whole line by src[0..n) (a string or a char[]; one of them null) and leaves
        // the cursor at its end.
        private void ReplaceLine(string s, char[] a, int n)
        {
            if (n > Capacity) n = Capacity;
            int oldLength = _length;
            MoveHome();
            for (int i = 0; i < n; i++) _buffer[i] = (object)s != null ? s[i] : a[i];
            _length = n;
            for (int i = 0; i < n; i++) _out.Write(_buffer[i]);
            _cursor = n;
            if (oldLength > n)
            {
                for (int i = n; i < oldLength; i++) _out.Write(' ');
                Backspaces(oldLength - n);
            }
        }

        private void HistoryOlder()
        {
            if (_historyAge + 1 >= _history.Count) return;
            if (_historyAge < 0)
            {
                for (int i = 0; i < _length; i++) _saved[i] = _buffer[i];
                _savedLength = _length;
            }
            _historyAge++;
            string entry = _history.Newest(_historyAge);
            ReplaceLine(entry, null, entry.Length);
        }

        private void HistoryNewer()
        {
            if (_historyAge < 0) return;
            _historyAge--;
            if (_historyAge < 0)
            {
                ReplaceLine(null, _saved, _savedLength);
                return;
            }
            string entry = _history.Newest(_historyAge);
            ReplaceLine(entry, null, entry.Length);
        }

        // Completes the word the cursor ends: the first word (after optional leading blanks) from
        // the command names, any other word (or a first word with a '/') from the entries of the
        // directory it names so far, a directory's with a '/' after it. Names starting with '.'
        // only when the typed part does.
        private EditResult Complete(bool secondTab)
        {
            int word = _cursor;
            while (word > 0 && !IsBlank(_buffer[word - 1])) word--;
            int start = 0;
            while (start < word && IsBlank(_buffer[start])) start++;
            int slash = -1;
            for (int i = word; i < _cursor; i++)
                if (_buffer[i] == '/') slash = i;
            if (word == start && slash < 0) return CompleteFrom(_commands, word, _cursor - word, secondTab);
            if (_files == null) return EditResult.None;
            string dir = slash < 0 ? string.Empty : new string(_buffer, word, slash - word + 1);
            int nameStart = slash + 1 > word ? slash + 1 : word;
            if (!_files.TryList(dir, out string[] names)) return EditResult.None;
            int prefix = _cursor - nameStart;
            bool hidden = prefix > 0 && _buffer[nameStart] == '.';
            int n = 0;
            for (int k = 0; k < names.Length; k++)
                if (HasPrefix(names[k], nameStart, prefix) && (hidden || names[k].Length == 0 || names[k][0] != '.')) n++;
            string[] candidates = new string[n];
            n = 0;
            for (int k = 0; k < names.Length; k++)
            {
                string name = names[k];
                if (!HasPrefix(name, nameStart, prefix) || (!hidden && name.Length > 0 && name[0] == '.')) continue;
                candidates[n++] = _files.Exists(string.Concat(dir, name, "/")) ? string.Concat(name, "/") : name;
            }
            Sorting.Sort(candidates, Sorting.Ordinal);
            return CompleteFrom(candidates, nameStart, prefix, secondTab);
        }

        // The typed text _buffer[start..start+prefix) against candidates. One match: complete it
        // and add a space (none after a directory's '/'). Several: extend to their longest common
        // prefix; the next Tab, if nothing else came between, lists them and asks for a redraw.
        private EditResult CompleteFrom(string[] candidates, int start, int prefix, bool secondTab)
        {
            int matches = 0, first = -1, common = 0, longest = 0;
            for (int k = 0; k < candidates.Length; k++)
            {
                string name = candidates[k];
                if (!HasPrefix(name, start, prefix)) continue;
                if (matches == 0)
                {
                    first = k;
                    common = name.Length;
                }
                else common = CommonPrefix(candidates[first], name, common);
                if (name.Length > longest) longest = name.Length;
                matches++;
            }
            if (matches == 0) return EditResult.None;

            string best = candidates[first];
            if (longest == common)  // every match is the same name
            {
                if (!InsertString(best, prefix, common - prefix)) return EditResult.None;
                bool directory = common > 0 && best[common - 1] == '/';
                if (!directory && (_cursor == _length || !IsBlank(_buffer[_cursor]))) InsertString(" ", 0, 1);
                return EditResult.None;
            }
            _lastWasTab = true;
            if (common > prefix)
            {
                InsertString(best, prefix, common - prefix);
                return EditResult.None;
            }
            if (!secondTab) return EditResult.None;

            _out.Write('\n');
            bool any = false;
            for (int k = 0; k < candidates.Length; k++)
            {
                string name = candidates[k];
                if (!HasPrefix(name, start, prefix) || ListedBefore(candidates, k, name)) continue;
                if (any) _out.Write("  ");
                _out.Write(name);
                any = true;
            }
            _out.Write('\n');
            return EditResult.RedrawPrompt;
        }

        private bool HasPrefix(string name, int start, int prefix)
        {
            if ((object)name == null || name.Length < prefix) return false;
            for (int i = 0; i < prefix; i++)
                if (name[i] != _buffer[start + i]) return false;
            return true;
        }

        private static bool ListedBefore(string[] candidates, int k, string name)
        {
            for (int j = 0; j < k; j++)
                if (candidates[j] == name) return true;
            return false;
        }

        private static int CommonPrefix(string a, string b, int limit)
        {
            int n = 0;
            while (n < limit && n < b.Length && a[n] == b[n]) n++;
            return n;
        }

        private static bool IsBlank(char c) => c == ' ' || c == '\t';
    }
}
