// The garbage-collected heap as a user sees it. The kernel boots with gc debug on (freed memory
// poisoned, the heap verified after every collection), so every test here also checks that
// nothing still in use was collected.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class GcTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly Regex GcLine = new(@"gc: collections=(\d+) live=(\d+) freed=(\d+) pause_us=(\d+)");

    private static long Live(string gcOutput)
    {
        Match m = GcLine.Match(gcOutput);
        Assert.True(m.Success, $"no gc line in: {gcOutput}");
        return long.Parse(m.Groups[2].Value);
    }

    [Fact]
    public async Task Gc_reports_and_debug_mode_is_on()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(GcLine, await m.RunAsync("gc"));
        Assert.Contains("gc: debug on", await m.RunAsync("gc debug"));
        Assert.Contains("gc: debug off", await m.RunAsync("gc debug off"));
        Assert.Contains("gc: debug on", await m.RunAsync("gc debug on"));
        Assert.Contains("usage: gc", await m.RunAsync("gc debug maybe"));
    }

    // 100 MiB of short-lived objects in a 64 MiB machine cannot fit: only collection makes it
    // through. Objects kept from a static, a local and an array must survive every collection.
    [Fact]
    public async Task Allocating_more_than_RAM_in_short_lived_objects_never_runs_out()
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 64 });
        string result = await m.RunAsync("gctest 100", TimeSpan.FromSeconds(120));
        Match r = Regex.Match(result, @"gctest: 100 MiB in \d+ rounds, (\d+) collections, live=\d+: ok");
        Assert.True(r.Success, result);
        Assert.True(int.Parse(r.Groups[1].Value) >= 10, $"expected at least 10 collections: {result}");
        Assert.Matches(GcLine, await m.RunAsync("gc"));
        Assert.Contains("selftest: ok", await m.RunAsync("selftest"));
    }

    // A list reachable only from a sleeping task's stack survives collections run by the shell.
    [Fact]
    public async Task Objects_reachable_only_from_another_tasks_stack_survive()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"\[1\] \d+", await m.RunAsync("gcstack 3 &"));
        string churn = await m.RunAsync("gctest 24", TimeSpan.FromSeconds(60));
        Assert.Matches(@"gctest: 24 MiB in \d+ rounds, ([1-9]\d*) collections", churn);
        string wait = await m.RunAsync("wait", TimeSpan.FromSeconds(30));
        Assert.Contains("gcstack: ok", wait);
        Assert.Matches(@"\[1\]\+\s+Done\s+gcstack 3", wait);
    }

    // 10,000 commands leave live heap bytes flat: the shell's history and the kernel log are
    // bounded rings, so once they are full nothing accumulates. Bound: 16 KiB.
    [Fact]
    public async Task Ten_thousand_commands_leave_the_live_heap_flat()
    {
        QemuMachine m = await BootAsync();
        await m.RunAsync("repeat 100 true");
        long before = Live(await m.RunAsync("gc"));
        await m.RunAsync("repeat 10000 true", TimeSpan.FromSeconds(120));
        await m.RunAsync("repeat 300 selftest", TimeSpan.FromSeconds(120));
        long after = Live(await m.RunAsync("gc"));
        Assert.InRange(after - before, -16384, 16384);
    }

    [Fact]
    public async Task Exhausting_the_heap_panics_with_figures()
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 64 });
        int start = m.Position;
        await m.Send("panic-test oom\n");
        await m.WaitFor("*** end of panic", TimeSpan.FromSeconds(120));
        string screen = m.SerialSince(start);
        Assert.Matches(@"heap: out of memory allocating \d+ bytes: live \d+ bytes in \d+ pages, free frames \d+", screen);
        Assert.Contains("*** KERNEL PANIC: heap: out of memory", screen);
        Assert.Equal(3, await m.WaitForExit(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Bench_gc_prints_rate_and_pause()
    {
        QemuMachine m = await BootAsync();
        string bench = await m.RunAsync("bench gc", TimeSpan.FromSeconds(120));
        Assert.Matches(@"bench gc: \d+ allocations/s of 32-byte objects", bench);
        Assert.Matches(@"bench gc: pause \d+ us with 1[5-7] MiB live", bench);
    }
}
