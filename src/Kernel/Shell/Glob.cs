// Pathname expansion (POSIX sh 2.13): a pattern with unquoted *, ? or [...] becomes the sorted
// list of existing paths it matches, or nothing (the caller then keeps the word as typed).
//
// A pattern here is the word's text with every quoted character escaped by a backslash (so a
// quoted * matches only a *). It is matched one path component at a time: a component without
// magic is taken as it is, one with magic is matched against the entries of each directory
// reached so far. * ? and [...] never match a leading '.' (hidden files need an explicit '.'),
// nor a '/'. [...] takes ranges (a-z), a leading ! or ^ to negate, a ']' first as a literal,
// and a '[' without its ']' is a literal '['. Results are sorted in byte order (the C locale).
// The file tree is reached through GlobTree, which the kernel implements over the VFS.
// Cost: matching is O(pattern x name) (no exponential backtracking); expansion visits each
// directory the pattern reaches once per way of reaching it.
using Kernel.Collections;

namespace Kernel.Shell
{
    public abstract class GlobTree
    {
        // The names in directory path ("" is the working directory), without "." and "..";
        // false when path is not a readable directory.
        public abstract bool TryList(string path, out string[] names);

        // Whether path exists (a trailing '/' asks for a directory).
        public abstract bool Exists(string path);
    }

    public static class Glob
    {
        public const int MaxResults = 65536;

        // Whether the pattern (escaped as above) has an unescaped * ? or [.
        public static bool HasMagic(string pattern)
        {
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '\\') { i++; continue; }
                if (c == '*' || c == '?' || c == '[') return true;
            }
            return false;
        }

        // The pattern with its escapes removed (what a word without matches stays as).
        public static string Unescape(string pattern)
        {
            if (pattern.IndexOf('\\') < 0) return pattern;
            char[] s = new char[pattern.Length];
            int n = 0;
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '\\' && i + 1 < pattern.Length) c = pattern[++i];
                s[n++] = c;
            }
            return new string(s, 0, n);
        }

        // fnmatch(pattern, name) for one path component, without FNM_PERIOD (see Expand).
        public static bool Match(string pattern, string name)
        {
            int p = 0, s = 0, starP = -1, starS = 0;
            int pn = pattern.Length, sn = name.Length;
            while (s < sn)
            {
                if (p < pn)
                {
                    char c = pattern[p];
                    if (c == '*')
                    {
                        p++;
                        starP = p;
                        starS = s;
                        continue;
                    }
                    if (c == '?')
                    {
                        p++;
                        s++;
                        continue;
                    }
                    if (c == '[')
                    {
                        int r = MatchClass(pattern, p, name[s], out int next);
                        if (r == 1)
                        {
                            p = next;
                            s++;
                            continue;
                        }
                        if (r < 0 && name[s] == '[')   // no closing ']': a literal '['
                        {
                            p++;
                            s++;
                            continue;
                        }
                    }
                    else
                    {
                        int width = 1;
                        if (c == '\\' && p + 1 < pn)
                        {
                            c = pattern[p + 1];
                            width = 2;
                        }
                        if (c == name[s])
                        {
                            p += width;
                            s++;
                            continue;
                        }
                    }
                }
                if (starP < 0) return false;
                p = starP;   // the last * takes one more character
                s = ++starS;
            }
            while (p < pn && pattern[p] == '*') p++;
            return p == pn;
        }

        // pattern[at] is '['. 1: c is in the class, 0: it is not, -1: there is no closing ']'.
        // next is the index after the class.
        private static int MatchClass(string pattern, int at, char c, out int next)
        {
            next = at + 1;
            int i = at + 1, n = pattern.Length;
            bool negate = false;
            if (i < n && (pattern[i] == '!' || pattern[i] == '^'))
            {
                negate = true;
                i++;
            }
            bool matched = false, first = true;
            while (true)
            {
                if (i >= n) return -1;
                char lo = pattern[i];
                if (lo == ']' && !first)
                {
                    next = i + 1;
                    return matched != negate ? 1 : 0;
                }
                first = false;
                if (lo == '\\' && i + 1 < n) lo = pattern[++i];
                i++;
                char hi = lo;
                if (i + 1 < n && pattern[i] == '-' && pattern[i + 1] != ']')
                {
                    hi = pattern[i + 1];
                    i += 2;
                    if (hi == '\\' && i < n) hi = pattern[i++];
                }
                if (c >= lo && c <= hi) matched = true;
            }
        }

        // The sorted paths matching pattern (its magic in any component), or an empty array.
        public static string[] Expand(string pattern, GlobTree tree)
        {
            Vector<string> paths = new Vector<string>(1);
            bool absolute = pattern.Length > 0 && pattern[0] == '/';
            paths.Add(absolute ? "/" : "");
            int i = absolute ? 1 : 0, n = pattern.Length;
            bool trailingSlash = n > 0 && pattern[n - 1] == '/' && n > 1;
            while (i < n && paths.Count > 0)
            {
                while (i < n && pattern[i] == '/') i++;
                if (i >= n) break;
                int start = i;
                while (i < n && pattern[i] != '/')
                {
                    if (pattern[i] == '\\') i++;
                    i++;
                }
                if (i > n) i = n;
                string component = pattern.Substring(start, i - start);
                Vector<string> next = new Vector<string>(paths.Count);
                if (!HasMagic(component))
                {
                    string literal = Unescape(component);
                    for (int k = 0; k < paths.Count; k++) next.Add(Join(paths[k], literal));
                }
                else
                {
                    bool dotOk = component[0] == '.' || (component.Length > 1 && component[0] == '\\' && component[1] == '.');
                    for (int k = 0; k < paths.Count && next.Count < MaxResults; k++)
                    {
                        if (!tree.TryList(paths[k], out string[] names)) continue;
                        for (int m = 0; m < names.Length && next.Count < MaxResults; m++)
                        {
                            string name = names[m];
                            if (name.Length == 0 || (name[0] == '.' && !dotOk)) continue;
                            if (Match(component, name)) next.Add(Join(paths[k], name));
                        }
                    }
                }
                paths = next;
            }
            Vector<string> found = new Vector<string>(paths.Count);
            for (int k = 0; k < paths.Count; k++)
            {
                string path = trailingSlash ? string.Concat(paths[k], "/") : paths[k];
                if (path.Length > 0 && tree.Exists(path)) found.Add(path);
            }
            string[] result = found.ToArray();
            Sorting.Sort(result, Sorting.Ordinal);
            return result;
        }

        private static string Join(string dir, string name)
        {
            if (dir.Length == 0) return name;
            if (dir == "/") return string.Concat("/", name);
            return string.Concat(dir, "/", name);
        }
    }
}
