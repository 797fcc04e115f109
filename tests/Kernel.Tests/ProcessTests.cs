// Processes as a user sees them: programs in the foreground and background, ps, kill, wait,
// fork with copy-on-write, out-of-memory kills, the workqueue thread.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ProcessTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly Regex FreeRow = new(@"Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)");

    [Fact]
    public async Task Ps_shows_the_shell_and_kernel_threads_in_brackets()
    {
        QemuMachine m = await BootAsync();
        string ps = await m.RunAsync("ps");
        Assert.Matches(@"PID\s+PPID\s+STAT\s+TIME\s+RSS\s+CONTAINER\s+COMMAND", ps);
        Assert.Matches(@"(?m)^\s+1\s+0\s+R\s+\S+\s+\d+ -\s+sh$", ps);
        Assert.Matches(@"(?m)^\s+\d+\s+0\s+[SR]\s+\S+\s+0 -\s+\[events\]$", ps);
        Assert.Matches(@"(?m)^\s+\d+\s+0\s+[SR]\s+\S+\s+0 -\s+\[kcontainerd\]$", ps);
    }

    [Fact]
    public async Task Memhog_prints_its_figures_and_exits()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"^memhog pages=1024 passes=2 ms=\d+$", (await m.RunAsync("memhog 1024 2", TimeSpan.FromSeconds(60))).Trim());
        Assert.Contains("usage: memhog PAGES [PASSES]", await m.RunAsync("memhog x"));
    }

    // Both spinners are runnable at once and both finish: the timer shares the CPU between them.
    // (Polls ps: under a loaded host the shell itself may get its slice late.)
    [Fact]
    public async Task Two_spinning_programs_both_progress()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"\[1\] \d+", await m.RunAsync("spin 3 &"));
        Assert.Matches(@"\[2\] \d+", await m.RunAsync("spin 3 &"));
        int both = 0;
        for (int i = 0; i < 5 && both != 2; i++)
        {
            await Task.Delay(300);
            both = Regex.Matches(await m.RunAsync("ps"), @"(?m)^\s+\d+\s+1\s+R\s+\S+\s+\d+ -\s+spin 3$").Count;
        }
        Assert.Equal(2, both);
        string wait = await m.RunAsync("wait", TimeSpan.FromSeconds(60));
        Assert.Equal(2, Regex.Matches(wait, @"\[\d\]\+\s+Done\s+spin 3").Count);
    }

    [Fact]
    public async Task A_sleeping_process_is_killed_and_reaped_and_pid_1_is_protected()
    {
        QemuMachine m = await BootAsync();
        Match started = Regex.Match(await m.RunAsync("sleep 100 &"), @"\[1\] (\d+)");
        Assert.True(started.Success);
        string pid = started.Groups[1].Value;
        Assert.Equal("", (await m.RunAsync($"kill {pid}")).Trim());
        await Task.Delay(300);
        string notice = await m.RunAsync("true");
        Assert.Matches(@"\[1\]\+\s+Terminated\s+sleep 100", notice);
        Assert.DoesNotMatch(@"(?m)^\s+" + pid + @"\s", await m.RunAsync("ps"));
        Assert.Contains($"kill: ({pid}) - No such process", await m.RunAsync($"kill {pid}"));
        Assert.Contains("kill: (1) - Operation not permitted", await m.RunAsync("kill 1"));
        Assert.Contains("kill: (1) - Operation not permitted", await m.RunAsync("kill -9 1"));
        Assert.Contains("usage: kill", await m.RunAsync("kill abc"));
        Assert.Contains("invalid signal", await m.RunAsync("kill -FOO 5"));
    }

    // Job specs as ash reads them: %N, and %% for the job started last; kill signals every
    // process of a pipeline job, wait returns the job's status (its last process's).
    [Fact]
    public async Task Kill_and_wait_take_job_specs()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"^\[1\] \d+$", await m.RunAsync("sleep 100 &"));
        Assert.Matches(@"^\[2\] \d+$", await m.RunAsync("sleep 100 | cat &"));
        Assert.Matches(@"^\[3\] \d+$", await m.RunAsync("sleep 1 &"));
        Assert.Matches(@"^\[1\]   Running\s+sleep 100 &\n\[2\]-  Running\s+sleep 100 \| cat &\n\[3\]\+  Running\s+sleep 1 &$",
            (await m.RunAsync("jobs")).Replace("\r", ""));
        Assert.Equal("", await m.RunAsync("kill %2"));
        Assert.Matches(@"^\[2\]\+\s+Terminated\s+sleep 100 \| cat\n143$", (await m.RunAsync("wait %2; echo $?")).Replace("\r", ""));
        Assert.Matches(@"^\[3\]\+\s+Done\s+sleep 1\n0$", (await m.RunAsync("wait %%; echo $?", TimeSpan.FromSeconds(30))).Replace("\r", ""));
        Assert.Equal("", await m.RunAsync("kill -9 %1"));
        Assert.Matches(@"^\[1\]\+\s+Killed\s+sleep 100\n137$", (await m.RunAsync("wait %1; echo $?")).Replace("\r", ""));
        Assert.Equal("", await m.RunAsync("jobs"));
        Assert.Equal("sh: kill: %7: no such job\n1", (await m.RunAsync("kill %7; echo $?")).Replace("\r", ""));
        Assert.Equal("sh: wait: %7: no such job\n127", (await m.RunAsync("wait %7; echo $?")).Replace("\r", ""));
        Assert.Equal("sh: wait: pid 4242 is not a child of this shell\n127", (await m.RunAsync("wait 4242; echo $?")).Replace("\r", ""));
    }

    [Fact]
    public async Task Forker_children_copy_on_write_and_all_are_reaped()
    {
        QemuMachine m = await BootAsync();
        Assert.Contains("forker: 50 started, 0 failed, 0 exited with an error", await m.RunAsync("forker 50 4", TimeSpan.FromSeconds(60)));
        Assert.Contains("forker: 500 started, 0 failed, 0 exited with an error", await m.RunAsync("forker 500", TimeSpan.FromSeconds(120)));
        Assert.DoesNotMatch(@"(?m)^\s+\d+\s+\d+\s+Z", await m.RunAsync("ps"));
    }

    [Fact]
    public async Task Hundred_memhogs_return_free_memory_to_its_start()
    {
        QemuMachine m = await BootAsync();
        await m.RunAsync("gc");
        Match before = FreeRow.Match(await m.RunAsync("free"));
        await m.RunAsync("repeat 100 memhog 1024", TimeSpan.FromSeconds(180));
        await m.RunAsync("gc");
        Match after = FreeRow.Match(await m.RunAsync("free"));
        Assert.True(before.Success && after.Success);
        Assert.InRange(long.Parse(after.Groups[2].Value) - long.Parse(before.Groups[2].Value), -256, 256);
        Assert.Matches(@"(?m)^anon\s+0 pages", await m.RunAsync("meminfo"));
    }

    [Fact]
    public async Task A_huge_memhog_is_killed_for_lack_of_memory_and_the_shell_goes_on()
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 64 });
        string result = await m.RunAsync("memhog 99999999", TimeSpan.FromSeconds(120));
        Assert.Matches(@"Out of memory: Killed process \d+ \(memhog 99999999\)", result);
        Assert.Contains("Killed", result);
        Assert.Equal("alive", (await m.RunAsync("echo alive")).Trim());
        Assert.Matches(@"(?m)^anon\s+0 pages", await m.RunAsync("meminfo"));
    }

    [Fact]
    public async Task Ctrl_C_interrupts_the_foreground_program()
    {
        QemuMachine m = await BootAsync();
        await m.Send("spin 30\n");
        await Task.Delay(800);
        await m.Send("\x03");
        await m.WaitForPrompt(TimeSpan.FromSeconds(10));
        Assert.Equal("alive", (await m.RunAsync("echo alive")).Trim());
        Assert.DoesNotMatch(@"spin 30", await m.RunAsync("ps"));
    }

    [Fact]
    public async Task The_workqueue_thread_runs_a_queued_item()
    {
        QemuMachine m = await BootAsync();
        Assert.Matches(@"wqtest: item run by PID \d+ \[events\] after \d+ ms: ok", await m.RunAsync("wqtest"));
    }

    // Only the kernel's own figures: a comparison with Linux is measured by `build.ps1 bench`.
    [Fact]
    public async Task Bench_proc_prints_its_figures()
    {
        QemuMachine m = await BootAsync();
        string bench = await m.RunAsync("bench proc", TimeSpan.FromSeconds(120));
        Assert.Matches(@"bench proc: context switch \d+ us \(\d+ cycles\)", bench);
        Assert.Matches(@"bench proc: fork\+exit\+wait \d+ us", bench);
        Assert.Matches(@"(?m)^bench proc: memhog 2048 1 median \d+ ms of 5 \(\d+\.\.\d+ ms\)$", bench);
        Assert.Matches(@"bench proc: mutex lock\+unlock with 2 tasks \d+ cycles/pair, counter 2000 \(ok\)", bench);
        Assert.DoesNotContain("Linux", bench);
    }

    // A run that fails (memhog killed for want of memory) is reported as failed; the figure of
    // an earlier memhog is never printed in its place. Background jobs are not reaped by it.
    [Fact]
    public async Task Bench_proc_reports_a_failed_run_instead_of_an_earlier_figure()
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 64 });
        Assert.Matches(@"memhog pages=2048 passes=1 ms=\d+", await m.RunAsync("memhog 2048 1"));
        string info = await m.RunAsync("meminfo");
        long free = long.Parse(Regex.Match(info, @"(?m)^free\s+(\d+) pages").Groups[1].Value);
        long reserve = long.Parse(Regex.Match(info, @"(?m)^reserve\s+(\d+) pages").Groups[1].Value);
        long hold = free - reserve - 1000;   // leaves memhog 2048 about 1000 pages
        string job = await m.RunAsync($"memhold {hold} 600 &");
        string pid = Regex.Match(job, @"^\[1\] (\d+)$").Groups[1].Value;
        Assert.NotEqual("", pid);
        await m.WaitFor($"memhold: {hold} pages", TimeSpan.FromSeconds(60));

        string bench = await m.RunAsync("bench proc", TimeSpan.FromSeconds(120));
        Assert.Contains("bench proc: memhog 2048 1: FAILED (run 1 of 5 did not finish)", bench);
        Assert.DoesNotContain("memhog 2048 1 median", bench);
        Assert.Matches(@"bench proc: fork\+exit\+wait \d+ us", bench);
        Assert.Contains($"memhold {hold} 600", await m.RunAsync("jobs"));

        await m.RunAsync($"kill {pid}");
        await m.RunAsync("wait", TimeSpan.FromSeconds(30));
        Assert.Equal("", await m.RunAsync("jobs"));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
    }

    // A kill that lands while a process forks, exits or holds a file open leaks nothing: the
    // fork happens in one hold of the interrupt lock, exit and open-and-hold are unkillable
    // sections. Forkers in a container are killed again and again mid-fork; afterwards every
    // frame is back, the container holds nothing, and memcheck is ok.
    [Fact]
    public async Task Killing_forkers_mid_fork_leaks_no_address_space_or_charge()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("mkdir /config/containers/k"));
        Assert.Equal("", await m.RunAsync("echo 2000 > /config/containers/k/task_limit"));
        await m.RunAsync("echo x > /k.out");
        await m.RunAsync("gc");
        int freeBefore = Free(await m.RunAsync("free"));
        for (int round = 0; round < 6; round++)
        {
            await m.RunAsync("echo 1 > /config/containers/k/addtask");
            string job = await m.RunAsync("forker 1500 8 >> /k.out &");
            await m.RunAsync("echo 1 > /config/containers/k/rmtask");
            string pid = Regex.Match(job, @"\[\d+\] (\d+)").Groups[1].Value;
            await Task.Delay(20 * round);
            await m.RunAsync($"kill -9 {pid}");
            await m.RunAsync("wait", TimeSpan.FromSeconds(60));
        }
        for (int i = 0; i < 100 && await m.RunAsync("cat /config/containers/k/num_tasks") != "0"; i++)
        {
            await Task.Delay(200);
            await m.RunAsync("true");   // the shell reaps orphans before each prompt
        }
        Assert.Equal("0", await m.RunAsync("cat /config/containers/k/num_tasks"));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck"));
        Assert.Equal("0", await m.RunAsync("cat /config/containers/k/page_usage"));
        Assert.Equal("", await m.RunAsync("rmdir /config/containers/k"));
        await m.RunAsync("gc");
        Assert.InRange(Free(await m.RunAsync("free")) - freeBefore, -1024, 1024);   // KiB
    }

    private static int Free(string free) => int.Parse(Regex.Match(free, @"Mem:\s+(\d+)\s+(\d+)\s+(\d+)").Groups[3].Value);
}
