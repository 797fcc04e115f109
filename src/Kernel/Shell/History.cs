// Command history of the shell: a ring of the last Capacity lines, oldest overwritten first.
// Invariants: 0 <= _count <= Capacity; the live entries are _entries[(_start + k) % Capacity] for
// k in [0, _count), oldest first; no entry is null or blank (only spaces/tabs), and no two
// consecutive entries are equal.
namespace Kernel.Shell
{
    public sealed class History
    {
        public const int Capacity = 64;

        private readonly string[] _entries = new string[Capacity];
        private int _start;
        private int _count;

        public int Count => _count;

        // Stores line as the newest entry. Returns false (and stores nothing) for a blank line or
        // a repeat of the newest entry.
        public bool Add(string line)
        {
            if (IsBlank(line)) return false;
            if (_count > 0 && Newest(0) == line) return false;
            if (_count == Capacity)
            {
                _entries[_start] = line;
                _start = (_start + 1) % Capacity;
            }
            else
            {
                _entries[(_start + _count) % Capacity] = line;
                _count++;
            }
            return true;
        }

        // age 0 is the newest entry; null when age is out of range.
        public string Newest(int age)
        {
            if (age < 0 || age >= _count) return null;
            return _entries[(_start + _count - 1 - age) % Capacity];
        }

        // index 0 is the oldest entry; null when index is out of range.
        public string Get(int index)
        {
            if (index < 0 || index >= _count) return null;
            return _entries[(_start + index) % Capacity];
        }

        public void Clear()
        {
            for (int i = 0; i < Capacity; i++) _entries[i] = null;
            _start = 0;
            _count = 0;
        }

        private static bool IsBlank(string s)
        {
            if ((object)s == null) return true;
            for (int i = 0; i < s.Length; i++)
                if (s[i] != ' ' && s[i] != '\t') return false;
            return true;
        }
    }
}
