// The garbage-collected heap as a user sees it. The shipped kernel boots with gc debug off; the
// test harness turns it on at the first prompt (freed memory poisoned, the heap verified after
// every collection), so every test here also checks that nothing still in use was collected.
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
    public async Task Gc_debug_is_off_as_shipped_and_switches()
    {
        QemuMachine m = await BootAsync(new QemuOptions { GcDebug = false });
        Assert.Matches(GcLine, await m.RunAsync("gc"));
        Assert.Equal("gc: debug off", await m.RunAsync("gc debug"));
        Assert.Contains("gc: debug on", await m.RunAsync("gc debug on"));
        Assert.Equal("gc: debug on", await m.RunAsync("gc debug"));
        Assert.Contains("gc: debug off", await m.RunAsync("gc debug off"));
        Assert.Contains("usage: gc", await m.RunAsync("gc debug maybe"));
    }

    // The -kernel boot (no GRUB) is prepared for tests the same way as the ISO.
    [Fact]
    public async Task The_harness_turns_gc_debug_on_for_every_boot_mode()
    {
        QemuMachine iso = await BootAsync();
        Assert.Equal("gc: debug on", await iso.RunAsync("gc debug"));
        QemuMachine elf = await BootAsync(new QemuOptions { Mode = BootMode.Kernel });
        Assert.Equal("gc: debug on", await elf.RunAsync("gc debug"));
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

    // In both modes; the figures go to the test output (the pause with debug on includes the
    // verification of the whole heap).
    [Fact]
    public async Task Bench_gc_prints_rate_and_pause_in_both_modes()
    {
        QemuMachine m = await BootAsync(new QemuOptions { GcDebug = false });
        foreach (string mode in new[] { "off", "on" })
        {
            await m.RunAsync($"gc debug {mode}");
            string bench = await m.RunAsync("bench gc", TimeSpan.FromSeconds(120));
            Output.WriteLine(bench);
            Assert.Matches($@"bench gc: \d+ allocations/s of 32-byte objects \(\d+ in \d+ us\) \(gc debug {mode}\)", bench);
            Assert.Matches($@"bench gc: pause \d+ us with 1[5-7] MiB live \(gc debug {mode}\)", bench);
        }
    }
}
