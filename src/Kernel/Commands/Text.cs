// Small string helpers for command output (padding lives in Shell/Numbers.cs).
namespace Kernel.Commands
{
    internal static class Text
    {
        // "a" + " " + "b", or just "b" when "a" is empty.
        public static string Join(string a, string b) => a.Length == 0 ? b : string.Concat(a, " ", b);

        public static string TwoDigits(ulong value) => value < 10 ? string.Concat("0", value.ToString()) : value.ToString();
    }
}
