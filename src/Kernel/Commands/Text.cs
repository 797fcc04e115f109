// Small string helpers for command output (the core library has no formatting API).
namespace Kernel.Commands
{
    internal static class Text
    {
        public static string PadRight(string s, int width) =>
            s.Length >= width ? s : string.Concat(s, new string(' ', width - s.Length));

        public static string PadLeft(string s, int width) =>
            s.Length >= width ? s : string.Concat(new string(' ', width - s.Length), s);

        // "a" + " " + "b", or just "b" when "a" is empty.
        public static string Join(string a, string b) => a.Length == 0 ? b : string.Concat(a, " ", b);

        public static string TwoDigits(ulong value) => value < 10 ? string.Concat("0", value.ToString()) : value.ToString();
    }
}
