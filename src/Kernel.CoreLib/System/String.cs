// Immutable UTF-16 strings. Layout fixed by ILC: MethodTable*, int _stringLength, then the chars
// (ILC's preinitialiser reads the fields by name). Strings are allocated through the same array
// allocator as char[]: their MethodTable has a component size of 2.
using System.Runtime;
using System.Runtime.CompilerServices;
using Internal.Runtime;

namespace System
{
    public sealed unsafe class String
    {
        private int _stringLength;
        private char _firstChar;

        public static readonly string Empty = "";

        public int Length => _stringLength;

        [IndexerName("Chars")]
        public char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                fixed (char* p = &_firstChar) return p[index];
            }
        }

        // new string(...) compiles to a call of the matching static Ctor below (an ILC convention).
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern String(char[] value, int startIndex, int length);
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern String(char c, int count);
        [MethodImpl(MethodImplOptions.InternalCall)]
        public extern String(char* value, int startIndex, int length);

        private static string Ctor(char[] value, int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex > value.Length - length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            fixed (char* p = value) return FromBuffer(p + startIndex, length);
        }

        private static string Ctor(char c, int count)
        {
            string s = Allocate(count);
            fixed (char* p = &s._firstChar)
                for (int i = 0; i < count; i++) p[i] = c;
            return s;
        }

        private static string Ctor(char* value, int startIndex, int length) => FromBuffer(value + startIndex, length);

        internal static string FromBuffer(char* chars, int length)
        {
            string s = Allocate(length);
            fixed (char* p = &s._firstChar)
                for (int i = 0; i < length; i++) p[i] = chars[i];
            return s;
        }

        internal static string FromChar(char c) => FromBuffer(&c, 1);

        [RuntimeImport("*", "RhpNewArray")]
        [MethodImpl(MethodImplOptions.InternalCall)]
        private static extern string NewString(MethodTable* stringType, int length);

        // The MethodTable of string is taken from a literal: no intrinsic is needed.
        private static string Allocate(int length)
        {
            if (length == 0) return "";
            if (length < 0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return NewString("".m_pMethodTable, length);
        }

        public string Substring(int startIndex) => Substring(startIndex, _stringLength - startIndex);

        public string Substring(int startIndex, int length)
        {
            if (startIndex < 0 || length < 0 || startIndex > _stringLength - length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            if (startIndex == 0 && length == _stringLength) return this;
            fixed (char* p = &_firstChar) return FromBuffer(p + startIndex, length);
        }

        public int IndexOf(char c)
        {
            for (int i = 0; i < _stringLength; i++) if (this[i] == c) return i;
            return -1;
        }

        public bool StartsWith(string prefix)
        {
            if (prefix._stringLength > _stringLength) return false;
            for (int i = 0; i < prefix._stringLength; i++) if (this[i] != prefix[i]) return false;
            return true;
        }

        public static bool Equals(string a, string b)
        {
            if ((object)a == (object)b) return true;
            if ((object)a == null || (object)b == null || a._stringLength != b._stringLength) return false;
            for (int i = 0; i < a._stringLength; i++) if (a[i] != b[i]) return false;
            return true;
        }

        public bool Equals(string other) => Equals(this, other);
        public override bool Equals(object obj) => obj is string s && Equals(this, s);
        public static bool operator ==(string a, string b) => Equals(a, b);
        public static bool operator !=(string a, string b) => !Equals(a, b);

        public override int GetHashCode()
        {
            int h = 5381;
            for (int i = 0; i < _stringLength; i++) h = (h * 33) ^ this[i];
            return h;
        }

        public override string ToString() => this;

        public static bool IsNullOrEmpty(string s) => (object)s == null || s._stringLength == 0;

        public static string Concat(string a, string b) => Concat(a, b, null, null);
        public static string Concat(string a, string b, string c) => Concat(a, b, c, null);

        public static string Concat(string a, string b, string c, string d)
        {
            int la = a == null ? 0 : a._stringLength, lb = b == null ? 0 : b._stringLength;
            int lc = c == null ? 0 : c._stringLength, ld = d == null ? 0 : d._stringLength;
            string s = Allocate(la + lb + lc + ld);
            if (s._stringLength == 0) return s;
            fixed (char* p = &s._firstChar)
            {
                char* q = p;
                q = CopyTo(a, q); q = CopyTo(b, q); q = CopyTo(c, q); CopyTo(d, q);
            }
            return s;
        }

        public static string Concat(params string[] values)
        {
            string result = "";
            for (int i = 0; i < values.Length; i++) result = Concat(result, values[i]);
            return result;
        }

        public static string Concat(object a, object b) => Concat(a == null ? null : a.ToString(), b == null ? null : b.ToString());
        public static string Concat(object a, object b, object c) => Concat(a == null ? null : a.ToString(), b == null ? null : b.ToString(), c == null ? null : c.ToString());

        private static char* CopyTo(string s, char* dest)
        {
            if (s == null) return dest;
            for (int i = 0; i < s._stringLength; i++) *dest++ = s[i];
            return dest;
        }
    }
}
