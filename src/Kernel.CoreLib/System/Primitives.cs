// The primitive value types. ILC and the C# compiler recognise them by name; their single field
// holds the value. ToString formats in decimal without allocating more than the result.
namespace System
{
    public struct Boolean { private bool m_value; public override string ToString() => m_value ? "True" : "False"; }
    public struct Char { private char m_value; public override string ToString() => string.FromChar(m_value); }
    public struct SByte { private sbyte m_value; public override string ToString() => Number.Format(m_value); }
    public struct Byte { private byte m_value; public override string ToString() => Number.Format((ulong)m_value); }
    public struct Int16 { private short m_value; public override string ToString() => Number.Format(m_value); }
    public struct UInt16 { private ushort m_value; public override string ToString() => Number.Format((ulong)m_value); }
    public struct Int32 { private int m_value; public const int MaxValue = 0x7fffffff; public const int MinValue = unchecked((int)0x80000000); public override string ToString() => Number.Format(m_value); }
    public struct UInt32 { private uint m_value; public const uint MaxValue = 0xffffffff; public const uint MinValue = 0; public override string ToString() => Number.Format((ulong)m_value); }
    public struct Int64 { private long m_value; public const long MaxValue = 0x7fffffffffffffff; public const long MinValue = unchecked((long)0x8000000000000000); public override string ToString() => Number.Format(m_value); }
    public struct UInt64 { private ulong m_value; public const ulong MaxValue = 0xffffffffffffffff; public const ulong MinValue = 0; public override string ToString() => Number.Format(m_value); }
    public struct Single { private float m_value; }
    public struct Double { private double m_value; }

    public unsafe struct IntPtr
    {
        private void* _value;
        public static readonly nint Zero;
        public IntPtr(void* value) { _value = value; }
        public IntPtr(long value) { _value = (void*)value; }
        public override string ToString() => Number.Format((long)_value);
    }

    public unsafe struct UIntPtr
    {
        private void* _value;
        public static readonly nuint Zero;
        public UIntPtr(void* value) { _value = value; }
        public UIntPtr(ulong value) { _value = (void*)value; }
        public override string ToString() => Number.Format((ulong)_value);
    }

    internal static class Number
    {
        public static string Format(long value)
        {
            if (value >= 0) return Format((ulong)value);
            string digits = Format((ulong)(-(value + 1)) + 1);
            return string.Concat("-", digits);
        }

        public static unsafe string Format(ulong value)
        {
            char* buffer = stackalloc char[20];
            int pos = 20;
            do
            {
                buffer[--pos] = (char)('0' + (int)(value % 10));
                value /= 10;
            } while (value != 0);
            return string.FromBuffer(buffer + pos, 20 - pos);
        }
    }
}
