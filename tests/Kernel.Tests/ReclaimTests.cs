// Reclaim in the booted kernel, after LTP's memcg tests (limit, failcnt, usage and max usage,
// stat after swap, stress, OOM): a container over its page_limit has its own pages swapped out by
// the reaper and stays at or below limit + limit/8 (+ a little slack); every byte comes back
// (memverify) across fork, swapoff, a move between containers and rmdir; swap full or absent ends
// in an OOM kill inside the container and nowhere else; Linux's mkswap is accepted and ours is a
// swap signature to the host's blkid. memcheck (slots against page tables) after each.
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ReclaimTests(ITestOutputHelper output) : KernelTest(output)
{
    private const string Root = "/config/containers";
    private const long MiB = 1 << 20;

    private async Task<QemuMachine> BootWithSwap(long swapMiB = 64, DiskBus bus = DiskBus.Virtio, byte[]? content = null)
    {
        QemuMachine m = await BootAsync(new QemuOptions { Disks = [new QemuDisk(bus, swapMiB * MiB, content)] });
        string dev = bus == DiskBus.Virtio ? "/dev/vda" : "/dev/sda";
        if (content == null) Assert.Matches(@"^Setting up swapspace version 1, size = ", await m.RunAsync($"mkswap {dev}"));
        Assert.Equal("", await m.RunAsync($"swapon {dev}"));
        return m;
    }

    private static async Task<long> Number(QemuMachine m, string c, string file) =>
        long.Parse(await m.RunAsync($"cat {Root}/{c}/{file}"));

    private static async Task MemcheckOk(QemuMachine m) => Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", TimeSpan.FromSeconds(60)));

    // Runs command in container c (the shell joins for the spawn and leaves).
    private static async Task<string> In(QemuMachine m, string c, string command, int seconds = 60)
    {
        await m.RunAsync($"echo 1 > {Root}/{c}/addtask");
        string output = await m.RunAsync(command, TimeSpan.FromSeconds(seconds));
        await m.RunAsync($"echo 1 > {Root}/{c}/rmtask");
        return output;
    }

    [Fact]
    public async Task Over_its_limit_a_container_is_swapped_out_and_every_byte_comes_back()
    {
        QemuMachine m = await BootWithSwap();
        await m.RunAsync($"mkdir {Root}/web");
        await m.RunAsync($"echo 1000 > {Root}/web/page_limit");
        Assert.Equal("memverify pages=3000 passes=2 errors=0", Regex.Replace(await In(m, "web", "memverify 3000 2"), @" ms=\d+$", ""));
        long peak = await Number(m, "web", "max_page_usage");
        Assert.InRange(peak, 1000, 1000 + 125 + 64);
        Assert.True(await Number(m, "web", "pages_swapped_out") >= 2000 * 2);
        Assert.True(await Number(m, "web", "pages_swapped_in") >= 2000);
        Assert.True(await Number(m, "web", "pages_reclaimed") >= 4000);
        Assert.True(await Number(m, "web", "reclaim_runs") >= 1);
        Assert.True(await Number(m, "web", "page_limit_hits") > 0);
        Assert.Equal("0", await m.RunAsync($"cat {Root}/web/page_usage"));
        Assert.Equal("0", await m.RunAsync($"cat {Root}/web/num_swap_pages"));
        Assert.Matches(@"(?m)^/dev/vda\s+partition\s+65532\s+0\s+-2$", await m.RunAsync("swapon -s"));
        Assert.Matches(@"Swap:\s+65532\s+0\s+65532", await m.RunAsync("free"));
        string meminfo = await m.RunAsync("cat /proc/meminfo");
        Assert.Matches(@"(?m)^SwapTotal:\s+65532 kB$", meminfo);
        Assert.Matches(@"(?m)^SwapFree:\s+65532 kB$", meminfo);
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Swapped_pages_survive_fork_a_move_rmdir_and_swapoff()
    {
        QemuMachine m = await BootWithSwap();
        await m.RunAsync($"mkdir {Root}/a");
        await m.RunAsync($"echo 400 > {Root}/a/page_limit");
        // Fork: children copy-on-write the parent's swapped pages and each checks its own.
        Assert.Equal("forker: 4 started, 0 failed, 0 exited with an error", await In(m, "a", "forker 4 900"));
        Assert.True(await Number(m, "a", "pages_swapped_out") > 0);
        // A memverify in a fills, sleeps while the reaper swaps it out, is moved out of a, a is
        // removed (its slots go to the root), swap is turned off (every page comes back), then it
        // checks every byte.
        await m.RunAsync($"echo 1 > {Root}/a/addtask");
        string job = await m.RunAsync("memverify 1500 1 6 > /mv.out &");
        await m.RunAsync($"echo 1 > {Root}/a/rmtask");
        int pid = int.Parse(Regex.Match(job, @"\[\d+\] (\d+)").Groups[1].Value);
        for (int i = 0; i < 100 && await m.RunAsync($"cat {Root}/a/num_swap_pages") is var s && long.Parse(s) < 1000; i++) await Task.Delay(100);
        Assert.True(await Number(m, "a", "num_swap_pages") >= 1000);
        // /proc/meminfo agrees: the slots in use are gone from SwapFree.
        string meminfo = await m.RunAsync("cat /proc/meminfo");
        Assert.Matches(@"(?m)^SwapTotal:\s+65532 kB$", meminfo);
        Assert.InRange(long.Parse(Regex.Match(meminfo, @"(?m)^SwapFree:\s+(\d+) kB$").Groups[1].Value), 0, 65532 - 4000);
        Assert.Equal("", await m.RunAsync($"echo {pid} > {Root}/a/rmtask"));
        Assert.Equal("", await m.RunAsync($"rmdir {Root}/a"));
        Assert.Equal("", await m.RunAsync("swapoff /dev/vda", TimeSpan.FromSeconds(60)));
        Assert.Matches(@"Swap:\s+0\s+0\s+0", await m.RunAsync("free"));
        Assert.Matches(@"(?m)^SwapTotal:\s+0 kB$", await m.RunAsync("cat /proc/meminfo"));
        await m.RunAsync("wait", TimeSpan.FromSeconds(60));
        Assert.Matches(@"memverify pages=1500 passes=1 errors=0 ms=\d+", await m.RunAsync("cat /mv.out"));
        await MemcheckOk(m);
    }

    // swapoff while two containers are far over their limits, their tasks' pages mostly in swap:
    // the reaper must not send pages back out while swapoff brings them in (it used to, and
    // swapoff ended in EBUSY), and the pages come back over the limit without throttling.
    [Fact]
    public async Task Swapoff_succeeds_while_containers_are_over_their_limits()
    {
        QemuMachine m = await BootWithSwap();
        foreach (string c in new[] { "a", "b" })
        {
            await m.RunAsync($"mkdir {Root}/{c}");
            await m.RunAsync($"echo 300 > {Root}/{c}/page_limit");
            await In(m, c, $"memverify 1500 1 5 > /{c}.out &");
        }
        foreach (string c in new[] { "a", "b" })
            for (int i = 0; i < 100 && await Number(m, c, "num_swap_pages") < 1000; i++) await Task.Delay(100);
        Assert.True(await Number(m, "a", "num_swap_pages") >= 1000);
        Assert.True(await Number(m, "b", "num_swap_pages") >= 1000);
        Assert.Equal("", await m.RunAsync("swapoff /dev/vda", TimeSpan.FromSeconds(60)));
        Assert.Matches(@"Swap:\s+0\s+0\s+0", await m.RunAsync("free"));
        foreach (string c in new[] { "a", "b" })
        {
            Assert.Equal(0, await Number(m, c, "num_swap_pages"));
            Assert.InRange(await Number(m, c, "page_usage"), 1500, 1600);   // all back, over the limit
        }
        await m.RunAsync("wait", TimeSpan.FromSeconds(60));
        foreach (string c in new[] { "a", "b" })
        {
            Assert.Matches(@"memverify pages=1500 passes=1 errors=0 ms=\d+", await m.RunAsync($"cat /{c}.out"));
            Assert.Equal(0, await Number(m, c, "oom_kills"));
        }
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Swap_full_ends_in_an_oom_kill_inside_the_container_only()
    {
        QemuMachine m = await BootWithSwap(swapMiB: 2);   // 511 slots
        await m.RunAsync($"mkdir {Root}/small");
        await m.RunAsync($"mkdir {Root}/calm");
        await m.RunAsync($"echo 200 > {Root}/small/page_limit");
        await m.RunAsync($"echo 1 > {Root}/calm/addtask");
        string calm = await m.RunAsync("memhold 300 60 > /calm.out &");
        await m.RunAsync($"echo 1 > {Root}/calm/rmtask");
        int calmPid = int.Parse(Regex.Match(calm, @"\[\d+\] (\d+)").Groups[1].Value);
        string run = await In(m, "small", "memhog 2000", 60);
        Assert.Matches(@"containers: small out of memory: killed process \d+ \(memhog 2000\), rss \d+ pages, swap \d+ pages", run);
        Assert.Contains("Killed", run);
        Assert.Equal("1", await m.RunAsync($"cat {Root}/small/oom_kills"));
        Assert.Equal("0", await m.RunAsync($"cat {Root}/small/page_usage"));
        Assert.Equal("0", await m.RunAsync($"cat {Root}/small/num_swap_pages"));
        Assert.Matches($@"(?m)^\s*{calmPid}\s", await m.RunAsync("ps"));
        Assert.Equal("0", await m.RunAsync($"cat {Root}/calm/oom_kills"));
        await m.RunAsync($"kill {calmPid}");
        await m.RunAsync("wait", TimeSpan.FromSeconds(30));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Several_containers_over_their_limits_at_once_share_the_swap()
    {
        QemuMachine m = await BootWithSwap(swapMiB: 64, bus: DiskBus.Ide);
        for (int i = 0; i < 3; i++)
        {
            await m.RunAsync($"mkdir {Root}/s{i}");
            await m.RunAsync($"echo {300 + 100 * i} > {Root}/s{i}/page_limit");
        }
        var pids = new List<int>();
        for (int i = 0; i < 3; i++)
        {
            await m.RunAsync($"echo 1 > {Root}/s{i}/addtask");
            string job = await m.RunAsync($"memverify {1200 + 200 * i} 2 > /s{i}.out &");
            await m.RunAsync($"echo 1 > {Root}/s{i}/rmtask");
            pids.Add(int.Parse(Regex.Match(job, @"\[\d+\] (\d+)").Groups[1].Value));
        }
        await m.RunAsync("wait", TimeSpan.FromSeconds(120));
        for (int i = 0; i < 3; i++)
        {
            Assert.Matches($@"memverify pages={1200 + 200 * i} passes=2 errors=0 ms=\d+", await m.RunAsync($"cat /s{i}.out"));
            long limit = 300 + 100 * i;
            Assert.InRange(await Number(m, $"s{i}", "max_page_usage"), limit, limit + limit / 8 + 64);
            Assert.Equal("0", await m.RunAsync($"cat {Root}/s{i}/oom_kills"));
        }
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Linux_mkswap_is_accepted_and_ours_is_swap_to_blkid()
    {
        string image = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(image, new byte[8 * MiB]);
            Run("mkswap", image);
            QemuMachine m = await BootWithSwap(swapMiB: 8, content: File.ReadAllBytes(image)[..4096]);
            Assert.Matches(@"(?m)^/dev/vda\s+partition\s+8188\s+0\s+-2$", await m.RunAsync("swapon -s"));
            Assert.Equal("", await m.RunAsync("swapoff /dev/vda"));
            // A device in use refuses a second user; one without the signature is EINVAL.
            Assert.Equal("", await m.RunAsync("swapon /dev/vda"));
            Assert.Equal("mkswap: cannot open /dev/vda: Device or resource busy", await m.RunAsync("mkswap /dev/vda"));
            Assert.Equal("swapon: /dev/vda: Device or resource busy", await m.RunAsync("swapon /dev/vda"));
            Assert.Equal("", await m.RunAsync("swapoff /dev/vda"));
            Assert.Contains("1+0 records out", await m.RunAsync("dd if=/dev/zero of=/dev/vda bs=4096 count=1", TimeSpan.FromSeconds(30)));
            Assert.Equal("swapon: /dev/vda: Invalid argument", await m.RunAsync("swapon /dev/vda"));
            Assert.Matches(@"^Setting up swapspace version 1, size = 8M \(8384512 bytes\)\nno label, UUID=[0-9a-f-]{36}$", await m.RunAsync("mkswap /dev/vda"));
            Assert.Equal("swapoff: /dev/vda: Invalid argument", await m.RunAsync("swapoff /dev/vda"));
            Assert.Equal("swapon: /nope: No such file or directory", await m.RunAsync("swapon /nope"));
            Assert.Equal("", await m.RunAsync("echo x > /line"));
            Assert.Equal("swapon: /line: Block device required", await m.RunAsync("swapon /line"));
            await m.RunAsync("sync");
            File.Copy(m.DiskFiles[0], image, overwrite: true);
            Assert.Equal("swap", Run("blkid", "-p -o value -s TYPE " + image).Trim());
        }
        finally { File.Delete(image); }
    }

    // [kswapd0] ages the lists once a second: pages a task used move to the active list, which
    // num_active_pages and meminfo's lru line show (memcheck checks them against the frames).
    [Fact]
    public async Task Background_aging_makes_num_active_pages_real()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"(?m)^\s*\d+\s+0\s+[SR]\s+\S+\s+0 -\s+\[kswapd0\]$", await m.RunAsync("ps"));
        await m.RunAsync($"mkdir {Root}/aged");
        await m.RunAsync($"echo 1 > {Root}/aged/addtask");
        await m.RunAsync("memhold 300 30 > /aged.out &");
        await m.RunAsync($"echo 1 > {Root}/aged/rmtask");
        long active = 0;
        for (int i = 0; i < 50 && active == 0; i++)
        {
            await Task.Delay(200);
            active = await Number(m, "aged", "num_active_pages");
        }
        Assert.InRange(active, 1, 300);
        Assert.Matches(@"lru: active [1-9]\d*, inactive \d+", await m.RunAsync("meminfo"));
        await MemcheckOk(m);
    }

    private static string Run(string tool, string args)
    {
        var p = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{tool} {args}: exit {p.ExitCode}");
        return output;
    }
}
