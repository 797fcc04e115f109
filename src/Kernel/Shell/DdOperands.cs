// dd's operands (busybox's words for every mistake), hardware-free so the host tests can try every
// odd spelling: if=FILE of=FILE bs=N count=N skip=N seek=N iflag=direct oflag=direct
// conv=notrunc[,fsync]. A later operand overrides an earlier one, as in busybox. Error is null on
// success; otherwise the line to print (an unknown operand gets the usage text instead).
namespace Kernel.Shell
{
    public sealed class DdOperands
    {
        public const string Usage =
            "Usage: dd [if=FILE] [of=FILE] [bs=N] [count=N] [skip=N] [seek=N]\n" +
            "\t[conv=notrunc|fsync] [iflag=direct] [oflag=direct]";
        private const ulong MaxBlock = 9223372036854775807UL;

        public string Input;          // null: standard input (the console)
        public string Output;         // null: standard output
        public ulong BlockSize = 512;
        public ulong Count = ulong.MaxValue;   // blocks; MaxValue: until the end of the input
        public ulong Skip, Seek;
        public bool NoTruncate, Fsync;
        public string Error;
        public bool ShowUsage;

        public static DdOperands Parse(string[] argv, int argc)
        {
            DdOperands o = new DdOperands();
            for (int i = 1; i < argc && o.Error == null; i++)
            {
                string a = argv[i];
                int eq = a.IndexOf('=');
                if (eq <= 0) { o.Usage_(); break; }
                string key = a.Substring(0, eq), value = a.Substring(eq + 1);
                if (key == "if") o.Input = value;
                else if (key == "of") o.Output = value;
                else if (key == "bs") o.BlockSize = o.Number(value, 1, MaxBlock);
                else if (key == "count") o.Count = o.Number(value, 0, ulong.MaxValue);
                else if (key == "skip") o.Skip = o.Number(value, 0, ulong.MaxValue);
                else if (key == "seek") o.Seek = o.Number(value, 0, ulong.MaxValue);
                else if (key == "iflag" || key == "oflag") o.Flags(key, value);
                else if (key == "conv") o.Flags(key, value);
                else { o.Usage_(); break; }
            }
            return o;
        }

        private void Usage_()
        {
            ShowUsage = true;
            Error = Usage;
        }

        private ulong Number(string s, ulong low, ulong high)
        {
            if (!DiskText.TryParseDdNumber(s, out ulong n))
            {
                Error = string.Concat("dd: invalid number '", s, "'");
                return 0;
            }
            if (n < low || n > high)
                Error = string.Concat("dd: number ", n.ToString(), " is not in ", string.Concat(low.ToString(), "..", high.ToString(), " range"));
            return n;
        }

        // A comma-separated list; "direct" is the only input and output flag (device nodes are
        // uncached already), notrunc and fsync the conversions.
        private void Flags(string key, string list)
        {
            int start = 0;
            while (Error == null)
            {
                int end = start;
                while (end < list.Length && list[end] != ',') end++;
                string flag = list.Substring(start, end - start);
                bool ok = key == "conv" ? flag == "notrunc" || flag == "fsync" : flag == "direct";
                if (!ok)
                {
                    Error = string.Concat("dd: invalid argument '", flag, "' to '", string.Concat(key, "'"));
                    return;
                }
                if (flag == "notrunc") NoTruncate = true;
                if (flag == "fsync") Fsync = true;
                if (end >= list.Length) return;
                start = end + 1;
            }
        }
    }
}
