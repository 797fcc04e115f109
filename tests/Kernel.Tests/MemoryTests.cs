// Physical memory as a user sees it: free, meminfo and memtest at several RAM sizes.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class MemoryTests(ITestOutputHelper output) : KernelTest(output)
{
    private static (long total, long used, long free, long cache, long available) ParseFree(string text)
    {
        Match m = Regex.Match(text, @"Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)");
        Assert.True(m.Success, $"no Mem: row in\n{text}");
        Assert.Contains("total        used        free      shared  buff/cache   available", text);
        Assert.Matches(@"Swap:\s+0\s+0\s+0", text);
        long V(int i) => long.Parse(m.Groups[i].Value);
        return (V(1), V(2), V(3), V(5), V(6));
    }

    // free's units as busybox's (-b -k -m -g, -h human; the last option wins), dmesg -c and -C
    // clearing the log, /proc/uptime's two figures.
    [Fact]
    public async Task Free_takes_units_dmesg_clears_and_proc_uptime_counts()
    {
        QemuMachine m = await BootAsync();
        long kib = ParseFree(await m.RunAsync("free")).total;
        Assert.Equal(kib / 1024, ParseFree(await m.RunAsync("free -m")).total);
        Assert.Equal(kib * 1024, ParseFree(await m.RunAsync("free -k -b")).total);
        Assert.Equal(0, ParseFree(await m.RunAsync("free -g")).total);
        Assert.Matches(@"(?m)^Mem:\s+\d+\.\dM\s+\d+(\.\d)?[KM]\s", await m.RunAsync("free -h"));
        Assert.Equal("free: invalid option -- 'x'\nusage: free [-bkmgh]\n1", (await m.RunAsync("free -x; echo $?")).Replace("\r", ""));
        Assert.Equal("usage: free [-bkmgh]", await m.RunAsync("free m"));

        Assert.Contains("CsKernel", await m.RunAsync("dmesg -c"));
        Assert.Equal("", await m.RunAsync("dmesg"));
        Assert.Equal("", await m.RunAsync("echo 1 > /proc/sys/vm/drop_caches"));   // logs a line
        Assert.Matches(@"^\[\s*\d+\.\d{6}\] .*drop_caches", await m.RunAsync("dmesg"));
        Assert.Equal("", await m.RunAsync("dmesg -C"));
        Assert.Equal("", await m.RunAsync("dmesg"));
        Assert.Equal("dmesg: invalid option -- 'x'\nusage: dmesg [-c|-C]", (await m.RunAsync("dmesg -x")).Replace("\r", ""));

        Match up = Regex.Match(await m.RunAsync("cat /proc/uptime"), @"^(\d+)\.(\d\d) (\d+)\.(\d\d)$");
        Assert.True(up.Success);
        double seconds = double.Parse(up.Groups[1].Value + "." + up.Groups[2].Value), idle = double.Parse(up.Groups[3].Value + "." + up.Groups[4].Value);
        Assert.InRange(seconds, 0.1, 60);
        Assert.InRange(idle, 0, seconds);
    }

    // memtest takes the free frames (all but the reserve and a margin), checks a pattern and gives
    // them back; free must show the same figures afterwards (after a collection; the heap's own
    // pages may differ by up to 256 KiB), and its total must be QEMU's -m less what firmware and the kernel keep (the low
    // 1 MiB, firmware ranges, the image, the frame database: a few percent).
    [Theory]
    [InlineData(64)]
    [InlineData(512)]
    [InlineData(4096)]
    public async Task Memtest_passes_and_free_returns_to_its_starting_figures(int mib)
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = mib });
        await m.RunAsync("gc");
        var before = ParseFree(await m.RunAsync("free"));
        long ramKiB = mib * 1024L;
        Assert.InRange(before.total, ramKiB * 90 / 100, ramKiB);
        Assert.Equal(before.total, before.used + before.free + before.cache);
        Assert.True(before.available < before.free, "available must leave the kernel's reserve out");

        string memtest = await m.RunAsync("memtest", TimeSpan.FromSeconds(mib >= 4096 ? 240 : 60));
        Assert.Matches(@"memtest: \d+ frames \(\d+ KiB\) written and checked, 0 bad words", memtest);
        Assert.Contains(": ok", memtest);
        // It takes every free frame but the reserve and its margin (1/16 of free, 8..64 MiB).
        Match hold = Regex.Match(memtest, @"memtest: holding (\d+) frames, leaving (\d+) free for others \(reserve (\d+), margin (\d+)\)");
        Assert.True(hold.Success, memtest);
        long held = long.Parse(hold.Groups[1].Value), leaving = long.Parse(hold.Groups[2].Value);
        long reserve = long.Parse(hold.Groups[3].Value), margin = long.Parse(hold.Groups[4].Value);
        Assert.Equal(reserve + margin, leaving);
        Assert.InRange(margin, 2048, 16384);
        Match frames = Regex.Match(memtest, @"memtest: (\d+) frames \((\d+) KiB\) written");
        Assert.Equal(held, long.Parse(frames.Groups[1].Value));
        Assert.InRange(before.free - (held + leaving) * 4, 0, 8192); // less the frames its own list and task took

        await m.RunAsync("gc");
        var after = ParseFree(await m.RunAsync("free"));
        Assert.Equal(before.total, after.total);
        Assert.InRange(after.used - before.used, -256, 256);
        Assert.InRange(after.free - before.free, -256, 256);
    }

    // memtest leaves the reserve and a margin: programs faulting pages (memhogs, forker's
    // copy-on-write children) and the heap growing (gctest) while it holds its frames get them.
    // The margin (1/16 of free memory here: 31 MiB) is a finite promise: these need about 25 MiB.
    // Before, memtest took every frame including the reserve: with forker 400 32 beside it, 285
    // forks failed and every started child was killed for want of memory.
    [Fact]
    public async Task Memtest_leaves_room_for_programs_and_the_heap_running_beside_it()
    {
        QemuMachine m = await BootAsync();
        int start = m.Position;
        await m.Send("memtest &\n");
        await m.WaitFor("memtest: holding ", TimeSpan.FromSeconds(60));
        // Past the prompt, wherever it fell around that line.
        await m.Send("echo synced\n");
        await m.WaitFor("\nsynced\r\n");
        await m.WaitForPrompt();
        // Their output goes to files: a program's line on the console can be split by the shell's
        // echo of the next command.
        for (int i = 2; i <= 4; i++) Assert.Matches(@"\[\d+\] \d+", await m.RunAsync($"memhog 1024 30 > /m{i} &"));
        Assert.Matches(@"\[\d+\] \d+", await m.RunAsync("forker 100 32 &"));
        string gc = await m.RunAsync("gctest 64", TimeSpan.FromSeconds(120));
        Assert.Matches(@"gctest: 64 MiB in \d+ rounds, \d+ collections, live=\d+: ok", gc);
        await m.RunAsync("wait", TimeSpan.FromSeconds(180));
        string all = m.SerialSince(start);
        Output.WriteLine(all);

        Assert.Matches(@"memtest: \d+ frames \(\d+ KiB\) written and checked, 0 bad words", all);
        Assert.Matches(@"memtest: free frames before \d+, after \d+: ok", all);
        for (int i = 2; i <= 4; i++) Assert.Matches(@"^memhog pages=1024 passes=30 ms=\d+$", await m.RunAsync($"cat /m{i}"));
        Assert.Contains("forker: 100 started, 0 failed, 0 exited with an error", all);
        int checkedAt = all.IndexOf("written and checked", StringComparison.Ordinal);
        MatchCollection done = Regex.Matches(all, @"\]\+\s+Done\s+memhog 1024 30");
        Assert.Equal(3, done.Count);
        Assert.True(done[2].Index < checkedAt,
            "the memhogs finished after memtest let go of its frames: the test did not overlap them");
        Output.WriteLine(all.IndexOf("gctest: 64 MiB", StringComparison.Ordinal) < checkedAt
            ? "gctest ran while memtest held its frames" : "gctest finished after memtest");
        Assert.DoesNotContain("Out of memory", all);
        Assert.DoesNotContain("Killed", all);
        Assert.Matches(@"\[1\]\+\s+Done\s+memtest", all);
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    [Fact]
    public async Task Meminfo_breaks_memory_down_in_pages()
    {
        QemuMachine m = await BootAsync();
        string info = await m.RunAsync("meminfo");
        foreach (string row in new[] { "kernel image", "early arena", "heap", "frame database", "page tables", "anon", "file", "reserve", "free" })
            Assert.Matches(new Regex($@"(?m)^{row}\s+\d+ pages"), info);
        Assert.Matches(@"40 bytes per frame", info);
        Assert.Matches(@"free blocks by order: 0:\d+ 1:\d+ .* 10:\d+", info);
    }

    [Fact]
    public async Task Bench_mm_prints_cycles_per_pair()
    {
        QemuMachine m = await BootAsync();
        string bench = await m.RunAsync("bench mm", TimeSpan.FromSeconds(60));
        Assert.Matches(@"bench mm: order-0 alloc\+free \d+ cycles/pair", bench);
        Assert.Matches(@"bench mm: order-3 alloc\+free \d+ cycles/pair", bench);
        Assert.Matches(@"bench mm: demand-zero fault \d+ cycles/page", bench);
    }

    // A program running beside them (its own page tables) used to panic the kernel: the shell
    // switched CR3 to a scratch address space its task did not record, and a context switch put
    // the kernel's tables back under it. The address spaces now belong to processes.
    [Fact]
    public async Task Vmtest_and_bench_mm_survive_a_program_running_beside_them()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"^\[1\] \d+$", await m.RunAsync("spin 8 &"));
        string bench = await m.RunAsync("bench mm", TimeSpan.FromSeconds(60));
        Assert.Matches(@"bench mm: demand-zero fault \d+ cycles/page", bench);
        for (int i = 0; i < 3; i++)
            Assert.Matches(@"vmtest: ok \(64 pages faulted", await m.RunAsync("vmtest", TimeSpan.FromSeconds(60)));
        Assert.Contains("spin 8", await m.RunAsync("ps"));
        Assert.Matches(@"\[1\]\+\s+Done\s+spin 8", await m.RunAsync("wait", TimeSpan.FromSeconds(30)));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    // Demand faults, copy-on-write after fork and frame accounting on the real MMU, twice (the
    // second run shows the first left nothing behind).
    [Fact]
    public async Task Vmtest_faults_forks_and_returns_every_frame()
    {
        QemuMachine m = await BootAsync();
        string first = await m.RunAsync("vmtest", TimeSpan.FromSeconds(30));
        Assert.Matches(@"vmtest: ok \(64 pages faulted, fork with copy-on-write, free frames back to \d+\)", first);
        string second = await m.RunAsync("vmtest", TimeSpan.FromSeconds(30));
        Assert.Equal(first.Trim(), second.Trim());
        Assert.Matches(@"lru: active 0, inactive 0", await m.RunAsync("meminfo"));
    }
}
