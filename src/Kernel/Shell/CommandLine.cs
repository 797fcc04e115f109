// Parses one line into the syntax tree of Syntax.cs, the way busybox ash reads it, for the part
// of the language this shell runs: lists (; &), and-or lists (&& ||), pipelines (| and a leading
// !), words with '…', "…" and backslash quoting, $? $$ $!, and the redirections n>, n>>, <,
// 2>&1 and >&2 (n is 1 or 2). Globs are words here; Expansion.cs expands them at run time.
//
// Quoting: '...' is literal; "..." keeps \ only before \ " $ ` and newline; \x outside quotes is
// x itself (\newline vanishes, a final lone \ stays a \); '' and "" are empty words; # at the
// start of a word begins a comment. Operators count only when unquoted.
//
// Anything else is a syntax error in ash's words, never ignored: a token the grammar does not
// allow, or that this shell does not run — ( ) ;; << <& <> >| n> for n > 2, reserved words (if,
// while, { ...) where a command starts, assignments (NAME=value), `...`, $(, ${, $NAME, $1 — is
// `sh: syntax error: unexpected "X"`; a line that ends too early (after |, &&, ||, !, or inside a
// quote) is `sh: syntax error: unexpected end of file`; a redirection without its file is
// `sh: syntax error: unexpected newline`. Errors come back in the result, never as an exception.
// No recursion: hostile lines (thousands of operators) cost time and memory linear in their length.
using Kernel.Collections;

namespace Kernel.Shell
{
    public static class CommandLine
    {
        public static ParsedLine Parse(string line)
        {
            if ((object)line == null) line = string.Empty;
            Parser p = new Parser(line);
            AndOr[] items = p.ParseLine();
            ParsedLine result = new ParsedLine();
            if (p.ErrorKind != ParseError.None)
            {
                result.Items = new AndOr[0];
                result.ErrorKind = p.ErrorKind;
                result.Error = p.Error;
                return result;
            }
            result.Items = items;
            return result;
        }

        // Whether c ends an unquoted word.
        internal static bool IsMeta(char c) =>
            c == ' ' || c == '\t' || c == '\n' || c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')';

        internal static bool IsNameStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        internal static bool IsNameChar(char c) => IsNameStart(c) || (c >= '0' && c <= '9');

        private static readonly string[] s_reserved =
            { "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{", "}", "!", "function", "select" };

        internal static bool IsReserved(string word)
        {
            for (int i = 0; i < s_reserved.Length; i++) if (s_reserved[i] == word) return true;
            return false;
        }

        // NAME=... (an assignment where a command starts).
        internal static bool IsAssignment(string word)
        {
            int eq = word.IndexOf('=');
            if (eq <= 0 || !IsNameStart(word[0])) return false;
            for (int i = 1; i < eq; i++) if (!IsNameChar(word[i])) return false;
            return true;
        }
    }

    internal enum TokenKind { End, Word, Operator }

    // The tokenizer and the recursive-descent (but not recursive) parser over one line.
    internal sealed class Parser
    {
        private readonly string _line;
        private int _pos;
        private readonly char[] _buffer;      // the literal text of the part being read

        // The current token.
        private TokenKind _kind;
        private string _op;                   // an operator: "|", "||", "&", "&&", ";", ";;", "<", ">", ">>", ">&", ...
        private int _fd;                      // the digits before a redirection operator, or -1
        private string _opText;               // the operator as typed, with its digits ("2>")
        private Word _word;

        public ParseError ErrorKind;
        public string Error;

        public Parser(string line)
        {
            _line = line;
            _buffer = new char[line.Length + 1];
        }

        private bool Failed => ErrorKind != ParseError.None;

        private void Fail(ParseError kind, string message)
        {
            if (Failed) return;   // the first error wins
            ErrorKind = kind;
            Error = message;
            _kind = TokenKind.End;
        }

        private void Unexpected(string token) =>
            Fail(ParseError.UnexpectedToken, string.Concat("sh: syntax error: unexpected \"", token, "\""));

        private void UnexpectedEnd() => Fail(ParseError.UnexpectedEnd, "sh: syntax error: unexpected end of file");

        // The current token where a command must start or continue: report it.
        private void UnexpectedHere()
        {
            if (_kind == TokenKind.End) UnexpectedEnd();
            else if (_kind == TokenKind.Operator) Unexpected(_op == "\n" ? "newline" : _opText);
            else Unexpected(_word.Source);
        }

        private bool IsOp(string op) => _kind == TokenKind.Operator && _op == op;

        // ---- Grammar ------------------------------------------------------------------------

        public AndOr[] ParseLine()
        {
            Vector<AndOr> items = new Vector<AndOr>(2);
            Next();
            while (!Failed)
            {
                while (IsOp("\n")) Next();
                if (_kind == TokenKind.End) break;
                AndOr item = ParseAndOr();
                if (Failed) break;
                items.Add(item);
                if (IsOp(";") || IsOp("&"))
                {
                    item.Background = _op == "&";
                    Next();
                }
                else if (IsOp("\n")) Next();
                else if (_kind != TokenKind.End) UnexpectedHere();
            }
            return items.ToArray();
        }

        private AndOr ParseAndOr()
        {
            Vector<Pipeline> pipelines = new Vector<Pipeline>(1);
            Vector<Connector> connectors = new Vector<Connector>(1);
            pipelines.Add(ParsePipeline());
            while (!Failed && (IsOp("&&") || IsOp("||")))
            {
                connectors.Add(_op == "&&" ? Connector.And : Connector.Or);
                Next();
                while (IsOp("\n")) Next();
                pipelines.Add(ParsePipeline());
            }
            AndOr list = new AndOr();
            list.Pipelines = pipelines.ToArray();
            list.Connectors = connectors.ToArray();
            return list;
        }

        private Pipeline ParsePipeline()
        {
            Pipeline pipeline = new Pipeline();
            if (_kind == TokenKind.Word && _word.IsPlain && _word.Source == "!")
            {
                pipeline.Negated = true;
                Next();
            }
            Vector<SimpleCommand> commands = new Vector<SimpleCommand>(1);
            commands.Add(ParseCommand());
            while (!Failed && IsOp("|"))
            {
                Next();
                while (IsOp("\n")) Next();
                commands.Add(ParseCommand());
            }
            pipeline.Commands = commands.ToArray();
            return pipeline;
        }

        private SimpleCommand ParseCommand()
        {
            Vector<Word> words = new Vector<Word>(4);
            Vector<Redirection> redirections = new Vector<Redirection>(0);
            while (!Failed)
            {
                if (_kind == TokenKind.Word)
                {
                    if (words.Count == 0 && _word.IsPlain)
                    {
                        string text = _word.Source;
                        if (CommandLine.IsReserved(text) || CommandLine.IsAssignment(text))
                        {
                            Unexpected(text);
                            break;
                        }
                    }
                    words.Add(_word);
                    Next();
                    continue;
                }
                if (_kind == TokenKind.Operator && IsRedirection(_op))
                {
                    Redirection r = ParseRedirection();
                    if (r != null) redirections.Add(r);
                    continue;
                }
                break;
            }
            if (!Failed && words.Count == 0 && redirections.Count == 0) UnexpectedHere();
            SimpleCommand command = new SimpleCommand();
            command.Words = words.ToArray();
            command.Redirections = redirections.ToArray();
            return command;
        }

        private static bool IsRedirection(string op) =>
            op == ">" || op == ">>" || op == "<" || op == ">&" || op == "<&" || op == "<<" || op == "<<-" || op == "<>" || op == ">|";

        // At a redirection operator: the operator and its target; null after a failure.
        private Redirection ParseRedirection()
        {
            string op = _op, typed = _opText;
            int fd = _fd;
            Redirection r = new Redirection();
            if (op == ">" || op == ">>" || op == ">&")
            {
                r.Fd = fd < 0 ? 1 : fd;
                if (r.Fd != 1 && r.Fd != 2) { Unexpected(typed); return null; }
            }
            else if (op == "<")
            {
                r.Fd = fd < 0 ? 0 : fd;
                if (r.Fd != 0) { Unexpected(typed); return null; }
            }
            else { Unexpected(typed); return null; }   // << <<- <& <> >|: not supported

            Next();
            if (_kind == TokenKind.End && !Failed)
            {
                Fail(ParseError.MissingRedirectTarget, "sh: syntax error: unexpected newline");
                return null;
            }
            if (_kind != TokenKind.Word)
            {
                UnexpectedHere();
                return null;
            }
            if (op == ">&")
            {
                string target = _word.IsPlain ? _word.Source : "";
                if (target != "1" && target != "2")
                {
                    Unexpected(_word.Source);
                    return null;
                }
                r.Kind = RedirectionKind.Duplicate;
                r.SourceFd = target[0] - '0';
            }
            else
            {
                r.Kind = op == ">" ? RedirectionKind.Write : op == ">>" ? RedirectionKind.Append : RedirectionKind.Read;
                r.Target = _word;
            }
            Next();
            return r;
        }

        // ---- Tokens -------------------------------------------------------------------------

        private void Next()
        {
            if (Failed) return;
            _word = null;
            _fd = -1;
            int n = _line.Length;
            // Blanks, and backslash-newline (a line continuation) between words.
            while (_pos < n && (_line[_pos] == ' ' || _line[_pos] == '\t' || (_line[_pos] == '\\' && _pos + 1 < n && _line[_pos + 1] == '\n')))
                _pos += _line[_pos] == '\\' ? 2 : 1;
            if (_pos < n && _line[_pos] == '#')
                while (_pos < n && _line[_pos] != '\n') _pos++;
            if (_pos >= n)
            {
                _kind = TokenKind.End;
                return;
            }
            char c = _line[_pos];
            if (IsOperatorStart(c))
            {
                ReadOperator();
                return;
            }
            ReadWord();
        }

        private static bool IsOperatorStart(char c) =>
            c == '\n' || c == '|' || c == '&' || c == ';' || c == '<' || c == '>' || c == '(' || c == ')';

        private void ReadOperator()
        {
            string s = _line;
            int n = s.Length;
            char c = s[_pos];
            char d = _pos + 1 < n ? s[_pos + 1] : '\0';
            string op;
            switch (c)
            {
                case '|': op = d == '|' ? "||" : "|"; break;
                case '&': op = d == '&' ? "&&" : "&"; break;
                case ';': op = d == ';' ? ";;" : ";"; break;
                case '<':
                    if (d == '<') op = _pos + 2 < n && s[_pos + 2] == '-' ? "<<-" : "<<";
                    else op = d == '&' ? "<&" : d == '>' ? "<>" : "<";
                    break;
                case '>': op = d == '>' ? ">>" : d == '&' ? ">&" : d == '|' ? ">|" : ">"; break;
                case '\n': op = "\n"; break;
                default: op = new string(c, 1); break;   // ( )
            }
            _pos += op.Length;
            _kind = TokenKind.Operator;
            _op = op;
            _opText = _fd >= 0 ? string.Concat(_fd.ToString(), op) : op;
        }

        // The word being read: finished parts, and the part in _buffer[0.._length) (open or not).
        private Vector<WordPart> _parts;
        private int _length;
        private bool _partOpen, _partQuoted;

        private void Append(char c, bool quoted)
        {
            if (_partOpen && _partQuoted != quoted) EndPart();
            _partOpen = true;
            _partQuoted = quoted;
            _buffer[_length++] = c;
        }

        // A quote opens a quoted part even if nothing follows ('' is an empty word).
        private void OpenQuoted()
        {
            if (_partOpen && !_partQuoted) EndPart();
            _partOpen = true;
            _partQuoted = true;
        }

        private void EndPart()
        {
            if (!_partOpen) return;
            WordPart part = new WordPart();
            part.Text = new string(_buffer, 0, _length);
            part.Quoted = _partQuoted;
            _parts.Add(part);
            _length = 0;
            _partOpen = false;
        }

        private void ReadWord()
        {
            _parts = new Vector<WordPart>(1);
            _length = 0;
            _partOpen = false;
            bool allDigits = true;   // only unquoted digits so far (an fd number before < or >)
            string s = _line;
            int n = s.Length;
            while (_pos < n && !Failed)
            {
                char c = s[_pos];
                if (CommandLine.IsMeta(c)) break;
                if (c < '0' || c > '9') allDigits = false;
                if (c == '\'')
                {
                    OpenQuoted();
                    _pos++;
                    while (_pos < n && s[_pos] != '\'') Append(s[_pos++], true);
                    if (_pos >= n) { UnexpectedEnd(); break; }
                    _pos++;
                    continue;
                }
                if (c == '"')
                {
                    OpenQuoted();
                    _pos++;
                    while (_pos < n && s[_pos] != '"' && !Failed)
                    {
                        char q = s[_pos];
                        if (q == '\\' && _pos + 1 < n)
                        {
                            char e = s[_pos + 1];
                            if (e == '\n') { _pos += 2; continue; }
                            if (e == '\\' || e == '"' || e == '$' || e == '`')
                            {
                                Append(e, true);
                                _pos += 2;
                                continue;
                            }
                        }
                        if (q == '`') { Unexpected("`"); break; }
                        if (q == '$' && Dollar(true)) continue;
                        Append(q, true);
                        _pos++;
                    }
                    if (Failed) break;
                    if (_pos >= n) { UnexpectedEnd(); break; }
                    _pos++;
                    continue;
                }
                if (c == '\\')
                {
                    if (_pos + 1 < n && s[_pos + 1] == '\n')
                    {
                        _pos += 2;
                        continue;
                    }
                    Append(_pos + 1 < n ? s[_pos + 1] : '\\', true);   // a final lone \ stays
                    _pos += _pos + 1 < n ? 2 : 1;
                    continue;
                }
                if (c == '`') { Unexpected("`"); break; }
                if (c == '$' && Dollar(false)) continue;
                Append(c, false);
                _pos++;
            }
            if (Failed) return;
            // Digits right before < or >: the descriptor of a redirection (2>f), not a word.
            if (allDigits && _parts.Count == 0 && _pos < n && (s[_pos] == '<' || s[_pos] == '>'))
            {
                int fd = _length > 2 ? 99 : 0;
                for (int i = 0; i < _length && _length <= 2; i++) fd = fd * 10 + (_buffer[i] - '0');
                string digits = new string(_buffer, 0, _length);
                ReadOperator();
                _fd = fd;
                _opText = string.Concat(digits, _op);
                return;
            }
            EndPart();
            if (_parts.Count == 0)
            {
                // Only line continuations (a\<newline> at the end): no word after all.
                _parts = null;
                Next();
                return;
            }
            _kind = TokenKind.Word;
            _word = new Word(_parts.ToArray());
            _parts = null;
        }

        // At a '$' (inside double quotes when inQuotes): a parameter part for $? $$ $!, an error
        // for the expansions this shell does not run, or false: a literal '$'.
        private bool Dollar(bool inQuotes)
        {
            string s = _line;
            int n = s.Length;
            char d = _pos + 1 < n ? s[_pos + 1] : '\0';
            if (d == '?' || d == '$' || d == '!')
            {
                EndPart();
                WordPart p = new WordPart();
                p.Parameter = d;
                p.Quoted = inQuotes;
                _parts.Add(p);
                _pos += 2;
                return true;
            }
            if (d == '(' || d == '{')
            {
                Unexpected(d == '(' ? "$(" : "${");
                return true;
            }
            if (CommandLine.IsNameChar(d) || d == '#' || d == '@' || d == '*' || d == '-')
            {
                int end = _pos + 2;
                if (CommandLine.IsNameStart(d)) while (end < n && CommandLine.IsNameChar(s[end])) end++;
                Unexpected(s.Substring(_pos, end - _pos));
                return true;
            }
            return false;
        }
    }
}
