using System;
using Kernel.Abi;
using Xunit;

// time_t and the calendar against .NET's: every day from 1900 to 2200, the texts of date, ctime
// and busybox ls -l (recent: time of day; older than six months or in the future: the year).
public class CivilTimeTests
{
    [Fact]
    public void Days_and_dates_agree_with_dotnet_over_three_centuries()
    {
        for (var d = new DateTime(1900, 1, 1); d.Year < 2200; d = d.AddDays(1))
        {
            long days = (long)(d - DateTime.UnixEpoch).TotalDays;
            Assert.Equal(days, CivilTime.DaysFromCivil(d.Year, d.Month, d.Day));
            CivilTime.CivilFromDays(days, out long y, out int m, out int day);
            Assert.Equal((d.Year, d.Month, d.Day), ((int)y, m, day));
        }
    }

    [Theory]
    [InlineData(0L, "Thu Jan  1 00:00:00 UTC 1970")]
    [InlineData(1700000000L, "Tue Nov 14 22:13:20 UTC 2023")]
    [InlineData(951782400L, "Tue Feb 29 00:00:00 UTC 2000")]
    [InlineData(-1L, "Wed Dec 31 23:59:59 UTC 1969")]
    public void Date_prints_as_busybox_date(long t, string text)
    {
        Assert.Equal(text, CivilTime.Date(t));
        Assert.Equal(text.Replace(" UTC", ""), CivilTime.Ctime(t));
        var dto = DateTimeOffset.FromUnixTimeSeconds(t);
        Assert.Equal(dto.ToString("ddd MMM ", System.Globalization.CultureInfo.InvariantCulture) + dto.Day.ToString().PadLeft(2) +
            dto.ToString(" HH:mm:ss yyyy", System.Globalization.CultureInfo.InvariantCulture), CivilTime.Ctime(t));
    }

    [Fact]
    public void Ls_shows_the_time_of_recent_files_and_the_year_of_old_ones()
    {
        long now = 1700000000;
        Assert.Equal("Nov 14 22:13", CivilTime.Ls(now, now));
        Assert.Equal("Nov  4 22:13", CivilTime.Ls(now - 10 * 86400, now));
        Assert.Equal("Nov 14  2022", CivilTime.Ls(now - 365 * 86400, now));
        Assert.Equal("Nov 14 22:23", CivilTime.Ls(now + 600, now));
        Assert.Equal("Nov 15  2023", CivilTime.Ls(now + 86400, now));
        Assert.Equal("Jan  1  1970", CivilTime.Ls(0, now));
    }
}
