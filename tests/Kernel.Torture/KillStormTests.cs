// The kill storm (issue: kill-anywhere safety): three containers run forker, memhog, memhold,
// mapfile and file writes while random `kill -9` land for a minute (KILLSTORM_SECONDS to change
// it). Afterwards every task is gone, no container keeps a charge or a task, the free memory is
// what it was before (give or take the heap), and memcheck is ok. The seed is printed, and
// KILLSTORM_SEED repeats a run.
using System.Text.RegularExpressions;
using Kernel.Tests;
using Xunit.Abstractions;

namespace Kernel.Torture;

public sealed class KillStormTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly Regex FreeRow = new(@"Mem:\s+(\d+)\s+(\d+)\s+(\d+)");
    private static readonly Regex PsRow = new(@"^\s*(\d+)\s+(\d+)\s+\w+\s+\S+\s+\d+\s+\S+\s+(\S.*)$", RegexOptions.Multiline);

    [Fact]
    public async Task Random_kills_for_a_minute_leave_every_frame_and_charge_back()
    {
        int seconds = int.TryParse(Environment.GetEnvironmentVariable("KILLSTORM_SECONDS"), out int s) ? s : 60;
        int seed = int.TryParse(Environment.GetEnvironmentVariable("KILLSTORM_SEED"), out int r) ? r : Environment.TickCount;
        Output.WriteLine($"kill storm: {seconds} s, seed {seed}");
        var rng = new Random(seed);
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 512 });
        await m.RunAsync("echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 > /line");
        for (int c = 0; c < 3; c++) Assert.Equal("", await m.RunAsync($"mkdir /config/containers/t{c}"));
        for (int c = 0; c < 3; c++) await m.RunAsync($"echo start > /out{c}");
        await m.RunAsync("gc");
        int freeBefore = Free(await m.RunAsync("free"));

        string[] jobs = ["forker 20 8", "memhog 400 30", "memhold 300 2", "mapfile /f{0} 2", "forker 5 64", "memhog 2000 3"];
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        int started = 0, kills = 0;
        while (DateTime.UtcNow < deadline)
        {
            int c = rng.Next(3);
            switch (rng.Next(4))
            {
                case 0:
                case 1:   // start a job in container c
                    await m.RunAsync($"echo 1 > /config/containers/t{c}/addtask");
                    await m.RunAsync(string.Format(jobs[rng.Next(jobs.Length)], c) + $" >> /out{c} &", TimeSpan.FromSeconds(30));
                    await m.RunAsync($"echo 1 > /config/containers/t{c}/rmtask");
                    started++;
                    break;
                case 2:   // a file write charged to container c
                    await m.RunAsync($"echo 1 > /config/containers/t{c}/addtask");
                    await m.RunAsync($"repeat {1 + rng.Next(40)} cat /line >> /f{c}", TimeSpan.FromSeconds(30));
                    await m.RunAsync($"echo 1 > /config/containers/t{c}/rmtask");
                    break;
                case 3:   // kill -9 a random process
                    var pids = UserPids(await m.RunAsync("ps"));
                    if (pids.Count == 0) break;
                    await m.RunAsync($"kill -9 {pids[rng.Next(pids.Count)]}");
                    kills++;
                    break;
            }
        }
        Output.WriteLine($"kill storm: {started} jobs started, {kills} kills");

        // Everything still running dies; the shell reaps it all.
        for (int round = 0; round < 50; round++)
        {
            var pids = UserPids(await m.RunAsync("ps"));
            if (pids.Count == 0) break;
            await m.RunAsync("kill -9 " + string.Join(' ', pids));
            await Task.Delay(200);
        }
        Assert.Empty(UserPids(await m.RunAsync("ps")));
        for (int c = 0; c < 3; c++)
        {
            await m.RunAsync($"rm -f /f{c} /out{c}");
            Assert.Equal("0", await m.RunAsync($"cat /config/containers/t{c}/num_tasks"));
        }
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", TimeSpan.FromSeconds(60)));
        for (int c = 0; c < 3; c++)
        {
            Assert.Equal("0", await m.RunAsync($"cat /config/containers/t{c}/page_usage"));
            Assert.Equal("", await m.RunAsync($"rmdir /config/containers/t{c}"));
        }
        await m.RunAsync("gc");
        int freeAfter = Free(await m.RunAsync("free"));
        Output.WriteLine($"free before {freeBefore} KiB, after {freeAfter} KiB");
        Assert.InRange(freeAfter - freeBefore, -2048, 2048);   // KiB: every frame back, give or take the heap
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", TimeSpan.FromSeconds(60)));
    }

    // PIDs of user processes other than the shell (kernel threads are in brackets).
    private static List<int> UserPids(string ps) =>
        PsRow.Matches(ps).Where(x => x.Groups[1].Value != "1" && !x.Groups[3].Value.StartsWith('[') && x.Groups[1].Value != "PID")
            .Select(x => int.Parse(x.Groups[1].Value)).ToList();

    private static int Free(string free) => int.Parse(FreeRow.Match(free).Groups[3].Value);
}
