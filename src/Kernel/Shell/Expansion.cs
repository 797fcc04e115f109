// Word expansion at run time (POSIX sh 2.6, the part this shell runs): parameters ($? the last
// status, $$ the shell's PID, $! the last background PID, empty before one), quote removal, and
// pathname expansion (Glob.cs) of each word with an unquoted * ? or [ — sorted matches, or the
// word as typed when nothing matches. There are no variables, so no field splitting: a parameter
// never holds a blank. An unquoted parameter that expands to nothing, alone in its word, removes
// the word (as sh does for an empty unquoted expansion); "" stays an empty argument.
using Kernel.Collections;

namespace Kernel.Shell
{
    // The values parameters expand to; owned by one shell (a script run with sh has its own).
    public sealed class ShellParameters
    {
        public int LastStatus;          // $?
        public int ShellPid;            // $$
        public int LastBackgroundPid;   // $! (0: none yet, expands to nothing)

        public string Value(char parameter)
        {
            if (parameter == '?') return LastStatus.ToString();
            if (parameter == '$') return ShellPid.ToString();
            if (parameter == '!') return LastBackgroundPid == 0 ? "" : LastBackgroundPid.ToString();
            return "";
        }
    }

    public static class Expansion
    {
        // The arguments a command's words become. tree null: no pathname expansion.
        public static string[] Words(Word[] words, ShellParameters parameters, GlobTree tree)
        {
            Vector<string> argv = new Vector<string>(words.Length);
            for (int i = 0; i < words.Length; i++)
            {
                Word w = words[i];
                string text = Expand(w, parameters, out string pattern, out bool removable);
                if (removable && text.Length == 0) continue;
                if (tree != null && Glob.HasMagic(pattern))
                {
                    string[] matches = Glob.Expand(pattern, tree);
                    if (matches.Length > 0)
                    {
                        for (int k = 0; k < matches.Length; k++) argv.Add(matches[k]);
                        continue;
                    }
                }
                argv.Add(text);
            }
            return argv.ToArray();
        }

        // A redirection's file name: parameters and quote removal, no pathname expansion.
        public static string Text(Word word, ShellParameters parameters) => Expand(word, parameters, out string _, out bool _);

        // The word's text; pattern: the same with quoted characters escaped for Glob; removable:
        // the word is nothing but unquoted parameters.
        private static string Expand(Word word, ShellParameters parameters, out string pattern, out bool removable)
        {
            string text = "";
            pattern = "";
            removable = true;
            WordPart[] parts = word.Parts;
            for (int i = 0; i < parts.Length; i++)
            {
                WordPart part = parts[i];
                string value = part.Parameter != 0 ? parameters.Value(part.Parameter) : part.Text;
                if (part.Quoted || part.Parameter == 0) removable = false;
                text = string.Concat(text, value);
                pattern = string.Concat(pattern, part.Quoted || part.Parameter != 0 ? Escape(value) : value);
            }
            return text;
        }

        private static string Escape(string s)
        {
            int specials = 0;
            for (int i = 0; i < s.Length; i++) if (IsSpecial(s[i])) specials++;
            if (specials == 0) return s;
            char[] e = new char[s.Length + specials];
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                if (IsSpecial(s[i])) e[n++] = '\\';
                e[n++] = s[i];
            }
            return new string(e, 0, n);
        }

        private static bool IsSpecial(char c) =>
            c == '\\' || c == '*' || c == '?' || c == '[' || c == ']' || c == '!' || c == '^' || c == '-';
    }
}
