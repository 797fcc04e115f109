// The kernel's clock against the host's: uptime must follow wall-clock time within 1% across
// stretches that keep interrupts off (a collection-heavy gctest) and across sleep 2.
//
// Honest bracketing instead of a loose tolerance: the kernel reads its clock at some moment
// between sending `uptime` and receiving its prompt, so the host interval between two readings
// lies within [send2 - received1, received2 - send1]; the kernel's delta must fall inside that
// interval widened by 1% (and 2 ms for the whole milliseconds `uptime` prints). Under TCG on a
// loaded host the bracket widens with the round trip, never the tolerance.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ClockTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly Regex UptimeLine = new(@"^up \d+:\d\d:\d\d \((\d+) ms\)$");

    private readonly record struct Reading(long KernelMs, double SentMs, double ReceivedMs);

    private static async Task<Reading> Uptime(QemuMachine m, Stopwatch host)
    {
        double sent = host.Elapsed.TotalMilliseconds;
        string line = await m.RunAsync("uptime");
        double received = host.Elapsed.TotalMilliseconds;
        Match match = UptimeLine.Match(line);
        Assert.True(match.Success, $"uptime printed \"{line}\"");
        return new Reading(long.Parse(match.Groups[1].Value), sent, received);
    }

    private void AssertAgrees(string what, Reading a, Reading b)
    {
        long kernel = b.KernelMs - a.KernelMs;
        double low = b.SentMs - a.ReceivedMs, high = b.ReceivedMs - a.SentMs;
        Output.WriteLine($"{what}: kernel {kernel} ms, host between {low:0} and {high:0} ms");
        Assert.True(kernel >= low * 0.99 - 2 && kernel <= high * 1.01 + 2,
            $"{what}: the kernel's uptime advanced {kernel} ms while the host's clock advanced between {low:0} and {high:0} ms");
    }

    [Fact]
    public async Task Uptime_follows_the_host_clock_across_gctest_and_sleep()
    {
        QemuMachine m = await BootAsync();
        var host = Stopwatch.StartNew();

        Reading start = await Uptime(m, host);
        string gc = await m.RunAsync("gctest 512", TimeSpan.FromSeconds(240));
        Assert.Contains(": ok", gc);
        Reading afterGc = await Uptime(m, host);
        AssertAgrees("gctest 512", start, afterGc);

        double sent = host.Elapsed.TotalMilliseconds;
        Assert.Equal("", await m.RunAsync("sleep 2", TimeSpan.FromSeconds(30)));
        double slept = host.Elapsed.TotalMilliseconds - sent;
        Assert.True(slept >= 2000 * 0.99, $"sleep 2 returned after {slept:0} ms of host time");
        Reading afterSleep = await Uptime(m, host);
        AssertAgrees("sleep 2", afterGc, afterSleep);
        Assert.True(afterSleep.KernelMs - afterGc.KernelMs >= 2000, "uptime advanced less than the sleep");
    }
}
