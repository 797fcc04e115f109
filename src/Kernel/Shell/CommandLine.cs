// Splits a command line into words the way a POSIX shell does for one simple command:
//   '...'  literal;   "..."  backslash escapes only \ " $ ` and newline, other backslashes stay;
//   \x outside quotes is x itself (\newline vanishes, a final lone \ stays a \);
//   space and tab separate words; '' and "" are empty words; # at the start of a word begins a
//   comment; > FILE and >> FILE redirect output (also >FILE, hi>>f); a final & means background.
// Operators count only when unquoted and unescaped. Nothing else is special: no $ expansion,
// globbing, pipes, ';' or fd numbers (2>f is the word 2 and a redirection). When several
// redirections are given the last one wins.
// Errors come back in ErrorKind and as the message to print in Error, never as an exception.
// Invariants of a result: Argv.Length == Argc <= MaxWords; on error Argc is 0 and Argv empty.
namespace Kernel.Shell
{
    public enum ParseError
    {
        None,
        UnterminatedQuote,     // sh: syntax error: unterminated quoted string
        TooManyArguments,      // sh: too many arguments
        MissingRedirectTarget, // sh: syntax error: unexpected newline
        UnexpectedToken,       // sh: syntax error: unexpected ">" (and the like)
    }

    public sealed class ParsedCommand
    {
        public const int MaxWords = 64;

        public string[] Argv;
        public int Argc;
        public string RedirectPath;   // null: no redirection
        public bool Append;           // >> rather than >
        public bool Background;       // trailing &
        public ParseError ErrorKind;
        public string Error;          // null when ErrorKind is None, else the message to print

        public bool Ok => ErrorKind == ParseError.None;
    }

    public static class CommandLine
    {
        public const int MaxWords = ParsedCommand.MaxWords;

        private const int RedirNone = 0, RedirTruncate = 1, RedirAppend = 2;

        public static ParsedCommand Parse(string line)
        {
            ParsedCommand result = new ParsedCommand();
            if ((object)line == null) line = string.Empty;
            string[] words = new string[MaxWords];
            int argc = 0;
            char[] word = new char[line.Length + 1];
            int pending = RedirNone;   // a redirection operator waiting for its target word
            bool background = false;
            int i = 0, n = line.Length;

            while (true)
            {
                while (i < n && IsBlank(line[i])) i++;
                if (i >= n) break;
                char c = line[i];
                if (c == '#') break;   // between words, so at the start of one
                if (background)
                    return Fail(result, ParseError.UnexpectedToken, "sh: syntax error: \"&\" must end the command");
                if (c == '>')
                {
                    bool append = i + 1 < n && line[i + 1] == '>';
                    if (pending != RedirNone)
                        return Fail(result, ParseError.UnexpectedToken,
                            append ? "sh: syntax error: unexpected \">>\"" : "sh: syntax error: unexpected \">\"");
                    pending = append ? RedirAppend : RedirTruncate;
                    i += append ? 2 : 1;
                    continue;
                }
                if (c == '&')
                {
                    if (pending != RedirNone)
                        return Fail(result, ParseError.UnexpectedToken, "sh: syntax error: unexpected \"&\"");
                    background = true;
                    i++;
                    continue;
                }

                int length = ReadWord(line, ref i, word);
                if (length < 0)
                    return Fail(result, ParseError.UnterminatedQuote, "sh: syntax error: unterminated quoted string");
                string w = new string(word, 0, length);
                if (pending != RedirNone)
                {
                    result.RedirectPath = w;
                    result.Append = pending == RedirAppend;
                    pending = RedirNone;
                    continue;
                }
                if (argc == MaxWords)
                    return Fail(result, ParseError.TooManyArguments, "sh: too many arguments");
                words[argc++] = w;
            }

            if (pending != RedirNone)
                return Fail(result, ParseError.MissingRedirectTarget, "sh: syntax error: unexpected newline");
            if (background && argc == 0 && (object)result.RedirectPath == null)
                return Fail(result, ParseError.UnexpectedToken, "sh: syntax error: unexpected \"&\"");

            result.Argv = new string[argc];
            for (int k = 0; k < argc; k++) result.Argv[k] = words[k];
            result.Argc = argc;
            result.Background = background;
            return result;
        }

        // Reads one word starting at line[i] (not a blank, '>' or '&') into word and returns its
        // length, leaving i after it; -1 when a quote is not closed.
        private static int ReadWord(string line, ref int i, char[] word)
        {
            int n = line.Length, length = 0;
            while (i < n)
            {
                char c = line[i];
                if (IsBlank(c) || c == '>' || c == '&') break;
                if (c == '\\')
                {
                    if (i + 1 >= n)
                    {
                        word[length++] = '\\';
                        i++;
                    }
                    else
                    {
                        if (line[i + 1] != '\n') word[length++] = line[i + 1];
                        i += 2;
                    }
                    continue;
                }
                if (c == '\'')
                {
                    i++;
                    while (i < n && line[i] != '\'') word[length++] = line[i++];
                    if (i >= n) return -1;
                    i++;
                    continue;
                }
                if (c == '"')
                {
                    i++;
                    while (i < n && line[i] != '"')
                    {
                        char q = line[i];
                        if (q == '\\' && i + 1 < n)
                        {
                            char e = line[i + 1];
                            if (e == '\n')
                            {
                                i += 2;
                                continue;
                            }
                            if (e == '\\' || e == '"' || e == '$' || e == '`')
                            {
                                word[length++] = e;
                                i += 2;
                                continue;
                            }
                        }
                        word[length++] = q;
                        i++;
                    }
                    if (i >= n) return -1;
                    i++;
                    continue;
                }
                word[length++] = c;
                i++;
            }
            return length;
        }

        private static ParsedCommand Fail(ParsedCommand result, ParseError kind, string message)
        {
            result.Argv = new string[0];
            result.Argc = 0;
            result.RedirectPath = null;
            result.Append = false;
            result.Background = false;
            result.ErrorKind = kind;
            result.Error = message;
            return result;
        }

        private static bool IsBlank(char c) => c == ' ' || c == '\t';
    }
}
