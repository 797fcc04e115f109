// grep's basic regular expressions, the subset this shell has: literal characters, '.', '*'
// (after an atom; first in the expression, or right after '^', it is a literal '*'), '^' at the
// start and '$' at the end (anchors; elsewhere literals), bracket expressions [abc] [a-z] [^x]
// ([]x] and [^]x] take ']' as a member), and '\' before a character to take it literally. What
// BRE has beyond that (\( \) \{ \} \| back-references, [: :] classes) is refused by Compile with
// a message, never matched wrongly.
// Extended (grep -E) adds '+' and '?' after an atom and '|' between alternatives (each with its
// own anchors); groups ( ) and intervals { } are refused, and '\' makes any of + ? | ( ) { }
// literal.
//
// Matching simulates the expression's automaton over the line (Thompson's construction: a set of
// positions in the atom list), so it is O(line x expression) whatever the input — no
// backtracking blow-up on a*a*a*a*b. Case folding (-i) is ASCII.
// Invariants of a compiled Bre: _atoms.Length == _star.Length == _optional.Length; a star atom
// matches zero or more characters, an optional one zero or one, any other exactly one; _or is
// the next alternative (extended only), or null.
namespace Kernel.Shell
{
    public sealed class Bre
    {
        private const int Any = -1;        // '.'
        private const int Class = -2;      // a bracket expression

        private readonly int[] _atoms;      // a character, Any or Class
        private readonly bool[][] _classes; // for Class atoms: the listed members among chars 0..255
        private readonly bool[] _classOther; // for Class atoms: negated ([^...])
        private readonly bool[] _star, _optional;
        private readonly bool _anchorStart, _anchorEnd, _ignoreCase;
        private Bre _or;

        private Bre(int[] atoms, bool[][] classes, bool[] classOther, bool[] star, bool[] optional, bool anchorStart, bool anchorEnd, bool ignoreCase)
        {
            _atoms = atoms;
            _classes = classes;
            _classOther = classOther;
            _star = star;
            _optional = optional;
            _anchorStart = anchorStart;
            _anchorEnd = anchorEnd;
            _ignoreCase = ignoreCase;
        }

        // Null and an error message (grep's words) when the expression is malformed or beyond
        // the subset.
        public static Bre Compile(string pattern, bool ignoreCase, out string error) => Compile(pattern, ignoreCase, false, out error);

        public static Bre Compile(string pattern, bool ignoreCase, bool extended, out string error)
        {
            error = null;
            if (!extended) return CompileOne(pattern, 0, pattern.Length, ignoreCase, false, out error);
            // Alternatives: split at every '|' outside brackets and not escaped.
            Bre first = null, last = null;
            int start = 0;
            for (int i = 0; i <= pattern.Length; i++)
            {
                if (i < pattern.Length)
                {
                    char c = pattern[i];
                    if (c == '\\') { i++; continue; }
                    if (c == '[')
                    {
                        int end = ParseClass(pattern, i, new bool[256], out bool _, out error);
                        if (end < 0) return null;
                        i = end - 1;
                        continue;
                    }
                    if (c != '|') continue;
                }
                Bre one = CompileOne(pattern, start, i, ignoreCase, true, out error);
                if (one == null) return null;
                if (first == null) first = one; else last._or = one;
                last = one;
                start = i + 1;
            }
            return first;
        }

        // pattern[from..to) as one alternative.
        private static Bre CompileOne(string pattern, int from, int to, bool ignoreCase, bool extended, out string error)
        {
            error = null;
            int n = to;
            int[] atoms = new int[2 * (to - from)];      // '+' repeats its atom
            bool[][] classes = new bool[atoms.Length][];
            bool[] classOther = new bool[atoms.Length];
            bool[] star = new bool[atoms.Length];
            bool[] optional = new bool[atoms.Length];
            int count = 0, i = from;
            bool anchorStart = false, anchorEnd = false;
            if (n > from && pattern[from] == '^')
            {
                anchorStart = true;
                i = from + 1;
            }
            while (i < n)
            {
                char c = pattern[i];
                if (c == '$' && i == n - 1)
                {
                    anchorEnd = true;
                    break;
                }
                bool repeat = c == '*' || extended && (c == '+' || c == '?');
                if (repeat && count > 0)
                {
                    int k = count - 1;
                    if (star[k]) { }                               // a** a*+ a*? are a*
                    else if (c == '*') { star[k] = true; optional[k] = false; }
                    else if (c == '?') optional[k] = true;
                    else if (!optional[k])                         // a+ is a a*
                    {
                        atoms[count] = atoms[k];
                        classes[count] = classes[k];
                        classOther[count] = classOther[k];
                        star[count++] = true;
                    }
                    else { star[k] = true; optional[k] = false; }  // a?+ is a*
                    i++;
                    continue;
                }
                if (extended && (c == '(' || c == ')' || c == '{' || c == '}'))
                {
                    error = c == '(' || c == ')' ? "groups (( )) are not supported" : "intervals ({ }) are not supported";
                    return null;
                }
                if (c == '.')
                {
                    atoms[count++] = Any;
                    i++;
                    continue;
                }
                if (c == '[')
                {
                    bool[] members = new bool[256];
                    int end = ParseClass(pattern, i, members, out bool negate, out error);
                    if (end < 0) return null;
                    classOther[count] = negate;
                    classes[count] = members;
                    atoms[count++] = Class;
                    i = end;
                    continue;
                }
                if (c == '\\')
                {
                    if (i + 1 >= n)
                    {
                        error = "trailing backslash (\\)";
                        return null;
                    }
                    char e = pattern[i + 1];
                    bool literalInEre = e == '(' || e == ')' || e == '{' || e == '}' || e == '|' || e == '+' || e == '?';
                    if (!(extended && literalInEre) && (literalInEre || e == '<' || e == '>' || (e >= '1' && e <= '9') ||
                        e == 'w' || e == 'W' || e == 'b' || e == 'B' || e == 's' || e == 'S'))
                    {
                        error = string.Concat("\\", new string(e, 1), " is not supported (only . * ^ $ [...])");
                        return null;
                    }
                    atoms[count++] = e;
                    i += 2;
                    continue;
                }
                atoms[count++] = c;
                i++;
            }
            int[] a = new int[count];
            bool[][] cl = new bool[count][];
            bool[] co = new bool[count];
            bool[] st = new bool[count];
            bool[] op = new bool[count];
            for (int k = 0; k < count; k++)
            {
                a[k] = ignoreCase && atoms[k] >= 0 ? Lower(atoms[k]) : atoms[k];
                cl[k] = classes[k];
                co[k] = classOther[k];
                st[k] = star[k];
                op[k] = optional[k];
            }
            return new Bre(a, cl, co, st, op, anchorStart, anchorEnd, ignoreCase);
        }

        // pattern[at] is '['; fills members; returns the index after ']', or -1 with an error.
        private static int ParseClass(string pattern, int at, bool[] members, out bool negate, out string error)
        {
            error = null;
            int i = at + 1, n = pattern.Length;
            negate = false;
            if (i < n && pattern[i] == '^')
            {
                negate = true;
                i++;
            }
            bool first = true;
            while (true)
            {
                if (i >= n)
                {
                    error = "brackets ([ ]) not balanced";
                    return -1;
                }
                char lo = pattern[i];
                if (lo == ']' && !first) return i + 1;
                if (lo == '[' && i + 1 < n && (pattern[i + 1] == ':' || pattern[i + 1] == '=' || pattern[i + 1] == '.'))
                {
                    error = "character classes ([:name:]) are not supported";
                    return -1;
                }
                first = false;
                i++;
                char hi = lo;
                if (i + 1 < n && pattern[i] == '-' && pattern[i + 1] != ']')
                {
                    hi = pattern[i + 1];
                    i += 2;
                    if (hi < lo)
                    {
                        error = "invalid range end";
                        return -1;
                    }
                }
                for (int c = lo; c <= hi && c < 256; c++) members[c] = true;
            }
        }

        private static int Lower(int c) => c >= 'A' && c <= 'Z' ? c + 32 : c;

        private bool Matches(int atom, char c)
        {
            int a = _atoms[atom];
            if (a == Any) return true;
            int x = _ignoreCase ? Lower(c) : c;
            if (a == Class)
            {
                bool[] members = _classes[atom];
                bool listed = x < 256 && members[x];
                if (_ignoreCase && !listed && x >= 'a' && x <= 'z') listed = members[x - 32];
                return listed != _classOther[atom];
            }
            return a == x;
        }

        // Whether the expression (some alternative) matches anywhere in line (grep's sense).
        public bool IsMatch(string line)
        {
            for (Bre b = this; b != null; b = b._or)
                if (b.IsMatchOne(line)) return true;
            return false;
        }

        private bool IsMatchOne(string line)
        {
            int m = _atoms.Length;
            bool[] current = new bool[m + 1], next = new bool[m + 1];
            Add(current, 0);
            if (Accepts(current, 0, line.Length)) return true;
            for (int p = 0; p < line.Length; p++)
            {
                for (int k = 0; k <= m; k++) next[k] = false;
                char c = line[p];
                for (int k = 0; k < m; k++)
                {
                    if (!current[k] || !Matches(k, c)) continue;
                    Add(next, _star[k] ? k : k + 1);
                }
                if (!_anchorStart) Add(next, 0);   // a match may start at any position
                bool[] t = current;
                current = next;
                next = t;
                if (Accepts(current, p + 1, line.Length)) return true;
            }
            return false;
        }

        private bool Accepts(bool[] states, int position, int length) =>
            states[_atoms.Length] && (!_anchorEnd || position == length);

        // State k and everything reachable from it without a character (past star and optional
        // atoms).
        private void Add(bool[] states, int k)
        {
            while (true)
            {
                states[k] = true;
                if (k == _atoms.Length || !_star[k] && !_optional[k]) return;
                k++;
            }
        }
    }
}
