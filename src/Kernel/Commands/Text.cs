// Small string helpers for command output (padding lives in Shell/Numbers.cs).
using Kernel.Drivers;

namespace Kernel.Commands
{
    internal static class Text
    {
        // "a" + " " + "b", or just "b" when "a" is empty.
        public static string Join(string a, string b) => a.Length == 0 ? b : string.Concat(a, " ", b);

        public static string TwoDigits(ulong value) => value < 10 ? string.Concat("0", value.ToString()) : value.ToString();

        // A command line from its words: "memhog 100 3" (a task's name).
        public static string Words(string[] argv)
        {
            string line = argv[0];
            for (int i = 1; i < argv.Length; i++) line = string.Concat(line, " ", argv[i]);
            return line;
        }

        // The unit option of free and df: each argument a '-' and letters from `letters`, the last
        // letter winning. False (after saying why, in busybox's words) for anything else.
        public static bool UnitOption(string tool, string usage, string letters, string[] argv, int argc, ref char unit)
        {
            for (int i = 1; i < argc; i++)
            {
                string o = argv[i];
                if (o.Length < 2 || o[0] != '-')
                {
                    Console.Error(string.Concat("usage: ", usage));
                    return false;
                }
                for (int j = 1; j < o.Length; j++)
                {
                    if (letters.IndexOf(o[j]) < 0)
                    {
                        Console.Error(string.Concat(tool, ": invalid option -- '", o.Substring(j, 1), string.Concat("'\nusage: ", usage)));
                        return false;
                    }
                    unit = o[j];
                }
            }
            return true;
        }
    }
}
