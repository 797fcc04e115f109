// The strict number formats of the control files: decimal digits only, with at most one trailing
// newline (what `echo N >` writes). No sign, no spaces, no hex, nothing after the digits.
using Kernel.Abi;

namespace Kernel.Containers
{
    public static class Numbers
    {
        public const long LimitMax = 2147483647;

        // page_limit, task_limit: 0..2147483647; non-digits EINVAL, too large ERANGE.
        public static Errno ParseLimit(string text, out long value) => ParseDecimal(text, LimitMax, out value);

        // addtask, rmtask: a decimal PID; anything else (or one too large to be a PID) EINVAL.
        public static Errno ParsePid(string text, out int pid)
        {
            Errno e = ParseDecimal(text, int.MaxValue, out long value);
            pid = e == Errno.None ? (int)value : 0;
            return e == Errno.ERANGE ? Errno.EINVAL : e;
        }

        // Well-formed digits up to max; EINVAL when malformed, ERANGE when above max.
        private static Errno ParseDecimal(string text, long max, out long value)
        {
            value = 0;
            if (!Digits(text, out int length)) return Errno.EINVAL;
            long v = 0;
            for (int i = 0; i < length; i++)
            {
                v = v * 10 + (text[i] - '0');
                if (v > max) return Errno.ERANGE;
            }
            value = v;
            return Errno.None;
        }

        // text is one or more digits, optionally followed by one '\n'; length = the digits.
        private static bool Digits(string text, out int length)
        {
            length = 0;
            if (text == null) return false;
            int n = text.Length;
            if (n > 0 && text[n - 1] == '\n') n--;
            if (n == 0) return false;
            for (int i = 0; i < n; i++) if (text[i] < '0' || text[i] > '9') return false;
            length = n;
            return true;
        }
    }
}
