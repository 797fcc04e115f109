// The shell's syntax tree for one line, as CommandLine.Parse builds it (POSIX sh's grammar for
// the part this shell runs):
//   line      := list?                     items separated by ';' or '&' (a final one optional)
//   and-or    := pipeline (('&&' | '||') pipeline)*
//   pipeline  := '!'? command ('|' command)*
//   command   := (word | redirection)+
// Words keep their quoting (WordPart.Quoted) and their $? $$ $! references, because both matter
// only at run time: $? is the status of the command before, and a glob character expands only
// when it was typed unquoted (Expansion.cs).
// Invariants of a tree from Parse: every array is non-null; an AndOr has Pipelines.Length ==
// Connectors.Length + 1 >= 1; a Pipeline has at least one command; a command has at least one
// word or redirection; a Word has at least one part.
namespace Kernel.Shell
{
    public enum ParseError
    {
        None,
        UnexpectedToken,       // sh: syntax error: unexpected "X" (anything not supported, too)
        UnexpectedEnd,         // sh: syntax error: unexpected end of file (a trailing |, &&, ||, an open quote)
        MissingRedirectTarget, // sh: syntax error: unexpected newline
    }

    // A piece of a word: literal text (quoted or not), or a parameter reference ($?, $$, $!).
    public struct WordPart
    {
        public string Text;      // the literal text; null for a parameter
        public char Parameter;   // '?', '$' or '!' for a parameter, else 0
        public bool Quoted;      // typed inside quotes or escaped: never a glob character
    }

    public sealed class Word
    {
        public readonly WordPart[] Parts;

        public Word(WordPart[] parts) { Parts = parts; }

        // True when the whole word was typed unquoted as plain text (no parameter): what a
        // reserved word or an assignment looks like.
        public bool IsPlain
        {
            get
            {
                for (int i = 0; i < Parts.Length; i++)
                    if (Parts[i].Quoted || Parts[i].Parameter != 0) return false;
                return true;
            }
        }

        // The word's text with parameters shown as typed ($?), quotes removed.
        public string Source
        {
            get
            {
                string s = "";
                for (int i = 0; i < Parts.Length; i++)
                    s = Parts[i].Parameter != 0 ? string.Concat(s, "$", new string(Parts[i].Parameter, 1)) : string.Concat(s, Parts[i].Text);
                return s;
            }
        }
    }

    public enum RedirectionKind
    {
        Write,      // n> FILE   (n defaults to 1)
        Append,     // n>> FILE
        Read,       // n< FILE   (n defaults to 0)
        Duplicate,  // n>&m      (2>&1, >&2)
    }

    public sealed class Redirection
    {
        public int Fd;                 // 0, 1 or 2
        public RedirectionKind Kind;
        public Word Target;            // the file (null for Duplicate)
        public int SourceFd;           // Duplicate: the descriptor copied (1 or 2)
    }

    public sealed class SimpleCommand
    {
        public Word[] Words;
        public Redirection[] Redirections;   // in the order typed (the order they apply in)
    }

    public sealed class Pipeline
    {
        public bool Negated;                 // ! pipeline: the status is inverted
        public SimpleCommand[] Commands;
    }

    public enum Connector { And, Or }

    public sealed class AndOr
    {
        public Pipeline[] Pipelines;
        public Connector[] Connectors;       // Connectors[i] joins Pipelines[i] and Pipelines[i + 1]
        public bool Background;              // ended by '&'
    }

    public sealed class ParsedLine
    {
        public AndOr[] Items;                // empty for a blank line or a comment
        public ParseError ErrorKind;
        public string Error;                 // null when ErrorKind is None, else the message to print

        public bool Ok => ErrorKind == ParseError.None;
    }
}
