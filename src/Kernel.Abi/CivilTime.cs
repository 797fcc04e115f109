// Seconds since 1970-01-01 00:00 UTC (time_t) and the calendar, in the proleptic Gregorian
// calendar (Howard Hinnant's days_from_civil / civil_from_days), and the texts users see: ctime's
// "Thu Nov 14 22:13:20 2023", busybox date's "Thu Nov 14 22:13:20 UTC 2023", and busybox ls -l's
// "Nov 14 22:13" (within six months) or "Nov 14  2023". UTC only: the kernel has no time zones.
namespace Kernel.Abi
{
    public static class CivilTime
    {
        private const string Days = "SunMonTueWedThuFriSat";
        private const string Months = "JanFebMarAprMayJunJulAugSepOctNovDec";

        public static long DaysFromCivil(long y, int m, int d)
        {
            y -= m <= 2 ? 1 : 0;
            long era = (y >= 0 ? y : y - 399) / 400;
            long yoe = y - era * 400;
            long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097 + doe - 719468;
        }

        public static void CivilFromDays(long z, out long y, out int m, out int d)
        {
            z += 719468;
            long era = (z >= 0 ? z : z - 146096) / 146097;
            long doe = z - era * 146097;
            long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            y = yoe + era * 400;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            d = (int)(doy - (153 * mp + 2) / 5 + 1);
            m = (int)(mp < 10 ? mp + 3 : mp - 9);
            if (m <= 2) y++;
        }

        public static long FromCivil(long y, int month, int day, int hour, int minute, int second) =>
            DaysFromCivil(y, month, day) * 86400 + hour * 3600 + minute * 60 + second;

        private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);

        private static void Split(long t, out long y, out int m, out int d, out int wday, out int hh, out int mm, out int ss)
        {
            long days = FloorDiv(t, 86400);
            long rest = t - days * 86400;
            CivilFromDays(days, out y, out m, out d);
            wday = (int)((days % 7 + 11) % 7);   // 1970-01-01 was a Thursday (4)
            hh = (int)(rest / 3600);
            mm = (int)(rest / 60 % 60);
            ss = (int)(rest % 60);
        }

        private static string Two(int v) => v < 10 ? string.Concat("0", v.ToString()) : v.ToString();
        private static string Day(int d) => d < 10 ? string.Concat(" ", d.ToString()) : d.ToString();

        // "Thu Nov 14 22:13:20 2023"
        public static string Ctime(long t)
        {
            Split(t, out long y, out int m, out int d, out int w, out int hh, out int mm, out int ss);
            return string.Concat(Days.Substring(w * 3, 3), " ", Months.Substring((m - 1) * 3, 3), " ",
                string.Concat(Day(d), " ", string.Concat(Two(hh), ":", Two(mm), ":", Two(ss)), " ", y.ToString()));
        }

        // busybox date: "Thu Nov 14 22:13:20 UTC 2023"
        public static string Date(long t)
        {
            Split(t, out long y, out int m, out int d, out int w, out int hh, out int mm, out int ss);
            return string.Concat(Days.Substring(w * 3, 3), " ", Months.Substring((m - 1) * 3, 3), " ",
                string.Concat(Day(d), " ", string.Concat(Two(hh), ":", Two(mm), ":", Two(ss)), " UTC ", y.ToString()));
        }

        // busybox ls -l: "Nov 14 22:13" for a time less than six months before now (and not more than
        // 15 minutes ahead), else "Nov 14  2023".
        public static string Ls(long t, long now)
        {
            Split(t, out long y, out int m, out int d, out int w, out int hh, out int mm, out int ss);
            long age = now - t;
            string head = string.Concat(Months.Substring((m - 1) * 3, 3), " ", Day(d), " ");
            if (age < 3600L * 24 * 365 / 2 && age > -15 * 60) return string.Concat(head, Two(hh), ":", Two(mm));
            string year = y.ToString();
            while (year.Length < 5) year = string.Concat(" ", year);
            return string.Concat(head, year);
        }
    }
}
