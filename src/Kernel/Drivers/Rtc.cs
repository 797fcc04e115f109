// The wall clock: the CMOS real-time clock (MC146818, ports 0x70/0x71), read once at boot, then
// carried forward by the TSC uptime (the RTC's one-second resolution would make every file time of
// a second the same anyway). QEMU's RTC runs in UTC by default, as the kernel assumes.
// Registers: 0 seconds, 2 minutes, 4 hours, 7 day, 8 month, 9 year, 0x32 century (when present),
// 0x0A status A (bit 7: an update is in progress), 0x0B status B (bit 2: binary, not BCD; bit 1:
// 24-hour). A read is repeated until two agree, so that an update in between is not seen half-done.
using Kernel.Abi;
using Kernel.Arch;

namespace Kernel.Drivers
{
    internal static class Rtc
    {
        private static long s_bootSeconds;
        private static ulong s_bootUptimeMs;

        // Seconds since 1970 now.
        public static long Now => s_bootSeconds + (long)((Tsc.UptimeMs - s_bootUptimeMs) / 1000);

        public static void Initialize()
        {
            long t = ReadOnce(), again = ReadOnce();
            for (int i = 0; i < 5 && t != again; i++)
            {
                t = again;
                again = ReadOnce();
            }
            s_bootSeconds = again;
            s_bootUptimeMs = Tsc.UptimeMs;
            Log.Line(string.Concat("rtc: ", CivilTime.Date(again)));
        }

        private static byte Read(byte register)
        {
            Native.OutB(0x70, register);
            return Native.InB(0x71);
        }

        private static long ReadOnce()
        {
            for (int i = 0; i < 100000 && (Read(0x0A) & 0x80) != 0; i++) { }
            byte second = Read(0x00), minute = Read(0x02), hour = Read(0x04), day = Read(0x07), month = Read(0x08),
                year = Read(0x09), century = Read(0x32), b = Read(0x0B);
            bool pm = (hour & 0x80) != 0;
            hour &= 0x7F;
            if ((b & 0x04) == 0)
            {
                second = Bcd(second);
                minute = Bcd(minute);
                hour = Bcd(hour);
                day = Bcd(day);
                month = Bcd(month);
                year = Bcd(year);
                century = Bcd(century);
            }
            if ((b & 0x02) == 0)
            {
                if (hour == 12) hour = 0;
                if (pm) hour += 12;
            }
            long fullYear = century >= 19 && century <= 30 ? century * 100 + year : (year < 70 ? 2000 + year : 1900 + year);
            if (month < 1 || month > 12 || day < 1 || day > 31) return 0;
            return CivilTime.FromCivil(fullYear, month, day, hour, minute, second);
        }

        private static byte Bcd(byte v) => (byte)((v & 0x0F) + (v >> 4) * 10);
    }
}
