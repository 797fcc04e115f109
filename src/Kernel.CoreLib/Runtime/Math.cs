// Checked conversions ILC binds by name; kernel code does not use floating point on hot paths.
namespace System
{
    public static class Math
    {
        public static int ConvertToInt32Checked(double v) { if (v <= -2147483649.0 || v >= 2147483648.0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException(); return (int)v; }
        public static uint ConvertToUInt32Checked(double v) { if (v <= -1.0 || v >= 4294967296.0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException(); return (uint)v; }
        public static long ConvertToInt64Checked(double v) { if (v <= -9223372036854777856.0 || v >= 9223372036854775808.0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException(); return (long)v; }
        public static ulong ConvertToUInt64Checked(double v) { if (v <= -1.0 || v >= 18446744073709551616.0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowOverflowException(); return (ulong)v; }
        public static int Min(int a, int b) => a < b ? a : b;
        public static int Max(int a, int b) => a > b ? a : b;
    }
}
