// The shell's language and tools on the booted kernel: lists and exit statuses, pipelines over
// real pipes (built-ins and programs on either side), globs, SIGPIPE, Ctrl-C on a whole
// pipeline, history, the containers view and watch. Each machine ends with `memcheck: ok`, and
// with no process of its pipelines left behind.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class PipelineTests(ITestOutputHelper output) : KernelTest(output)
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static async Task MemcheckOk(QemuMachine m) =>
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", Long));

    // Nothing matching the pattern is running (the [x] keeps grep from matching its own line).
    private static async Task NoneLeft(QemuMachine m, string bracketed) =>
        Assert.Equal("0", await m.RunAsync($"ps | grep -c '{bracketed}'"));

    [Fact]
    public async Task Lists_exit_statuses_and_syntax_errors()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("x", await m.RunAsync("false || echo x"));
        Assert.Equal("y", await m.RunAsync("true && echo y"));
        Assert.Equal("", await m.RunAsync("true || echo no"));
        Assert.Equal(["a", "c"], Lines(await m.RunAsync("echo a; false && echo b; echo c")));
        Assert.Equal(["1", "0", "127"], Lines(await m.RunAsync("false; echo $?; true; echo $?; nosuch 2>/dev/null; echo $?")));
        Assert.Equal("1", await m.RunAsync("! true; echo $?"));

        string[] oom = Lines(await m.RunAsync("memhog 99999999; echo $?", Long));
        Assert.Equal("137", oom[^1]);
        Assert.Contains(oom, l => Regex.IsMatch(l, @"^Out of memory: Killed process \d+ \(memhog 99999999\)$"));

        Assert.Equal("sh: syntax error: unexpected \"(\"", await m.RunAsync("echo (a)"));
        Assert.Equal("2", await m.RunAsync("echo $?"));
        Assert.Equal("sh: syntax error: unexpected end of file", await m.RunAsync("echo a |"));
        Assert.Equal("sh: syntax error: unexpected end of file", await m.RunAsync("echo 'open"));
        Assert.Equal("sh: syntax error: unexpected \"||\"", await m.RunAsync("echo a ||||"));
        Assert.Equal("sh: syntax error: unexpected \"$HOME\"", await m.RunAsync("echo $HOME"));
        Assert.Equal("still here", await m.RunAsync("echo still here"));

        // Standard input from the console: a line at a time, echoed; Ctrl-D ends it, Ctrl-C stops.
        foreach (string reader in new[] { "wc -l", "cat | wc -l" })
        {
            await m.Send(reader + "\n");
            await m.WaitFor("\n");
            await m.Send("one\rtwo\r\x04");
            Assert.Equal(["one", "two", "2"], Lines((await m.WaitForPrompt()).Replace("\r", "")));
        }
        await m.Send("grep x\n");
        await m.WaitFor("\n");
        await m.Send("x1\r\x03");
        await m.WaitForPrompt();
        Assert.Equal("130", await m.RunAsync("echo $?"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Pipelines_globs_and_redirections()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("mkdir /config/containers/web /config/containers/db"));
        Assert.Equal("3", await m.RunAsync("ls /config/containers | wc -l"));   // db, description, web
        Assert.Equal(["0", "0"], Lines(await m.RunAsync("cat /config/containers/*/page_usage")));
        Assert.Equal("cat: can't open '/nowhere/*': No such file or directory", await m.RunAsync("cat /nowhere/*"));
        Assert.Equal("/config/containers/db/page_limit /config/containers/web/page_limit", await m.RunAsync("echo /config/containers/*/page_l?mit"));

        // ps | grep with a program running in the background.
        string started = await m.RunAsync("memhog 4000 1000000 &");
        int pid = int.Parse(Regex.Match(started, @"^\[\d+\] (\d+)$").Groups[1].Value);
        string[] ps = Lines(await m.RunAsync("ps | grep memhog"));
        Assert.Contains(ps, l => Regex.IsMatch(l, $@"^\s*{pid}\s+1\s.*memhog 4000 1000000$"));
        Assert.Contains(ps, l => l.EndsWith("grep memhog", StringComparison.Ordinal));
        // grep -E: alternatives.
        string[] threads = Lines(await m.RunAsync("ps | grep -E 'kswapd0]$|flush]$'"));
        Assert.Equal(2, threads.Length);
        Assert.EndsWith("[kswapd0]", threads[0]);
        Assert.EndsWith("[flush]", threads[1]);
        Assert.Equal("", await m.RunAsync($"kill {pid}"));
        await m.RunAsync("wait", Long);

        string[] log = Lines(await m.RunAsync("dmesg"));
        Assert.Equal(log[^3..], Lines(await m.RunAsync("dmesg | tail -n 3")));
        Assert.Equal(log.Length.ToString(), await m.RunAsync("dmesg | wc -l"));

        // Redirections with pipes: stderr into the pipe, a file read as stdin, tee.
        Assert.Equal("1", await m.RunAsync("ls /nope 2>&1 | wc -l"));
        Assert.Equal("ls: /nope: No such file or directory", await m.RunAsync("ls /nope 2>&1 | cat"));
        Assert.Equal("", await m.RunAsync("ls /nope 2>/dev/null"));
        Assert.Equal("", await m.RunAsync("echo b > /f; echo a >> /f; echo c >> /f"));
        Assert.Equal(["a", "b", "c"], Lines(await m.RunAsync("sort < /f")));
        Assert.Equal(["c", "b", "a"], Lines(await m.RunAsync("cat /f | sort -r | tee /g")));
        Assert.Equal(["c", "b", "a"], Lines(await m.RunAsync("cat /g")));
        Assert.Equal("      2 x", await m.RunAsync("echo x > /h; cat /h /h | uniq -c"));
        Assert.Equal("2", await m.RunAsync("cat /f /g | grep '^[ab]$' | sort | uniq | tee /u | wc -l"));
        Assert.Equal(["a", "b"], Lines(await m.RunAsync("cat /u")));
        Assert.Equal("4", await m.RunAsync("cat /f /g | grep -c '^[ab]$'"));
        await NoneLeft(m, "memho[g]");
        await MemcheckOk(m);
    }

    [Fact]
    public async Task A_writer_whose_reader_left_ends_silently_with_141()
    {
        QemuMachine m = await BootAsync();
        // head -n 0 reads nothing and leaves; memhog's line then meets a pipe without readers.
        Assert.Equal("", await m.RunAsync("memhog 10 | head -n 0"));
        Assert.Equal("0", await m.RunAsync("echo $?"));   // a pipeline's status is its last command's
        Assert.Equal("141", await m.RunAsync("set -o pipefail; memhog 10 | head -n 0; echo $?"));
        Assert.Equal("141", await m.RunAsync("cat /dev/zero | head -n 0; echo $?"));
        Assert.Equal("0", await m.RunAsync("set +o pipefail; cat /dev/zero | head -n 0; echo $?"));
        Assert.Equal("4", await m.RunAsync("dmesg | head -n 4 | wc -l"));
        await NoneLeft(m, "cat /dev/zer[o]");
        await NoneLeft(m, "memho[g]");
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Ctrl_C_stops_the_whole_foreground_pipeline()
    {
        QemuMachine m = await BootAsync();
        foreach (string pipeline in new[] { "cat /dev/zero | wc -c", "cat /dev/zero | cat | cat | wc -l", "spin 60 | cat" })
        {
            await m.Send(pipeline + "\n");
            await m.WaitFor("\n");
            await Task.Delay(500);
            await m.Send("\x03");
            await m.WaitForPrompt(TimeSpan.FromSeconds(20));
            await NoneLeft(m, "cat /dev/zer[o]");
            await NoneLeft(m, "wc -[cl]");
            await NoneLeft(m, "spi[n]");
            Assert.Equal("after", await m.RunAsync("echo after"));
        }
        // A built-in that runs inside the shell (PID 1: nothing to signal) stops at its next read,
        // and repeat stops its loop, as a shell loop ends on Ctrl-C.
        foreach (string line in new[] { "cat /dev/zero > /dev/null", "grep x /dev/zero", "wc -c < /dev/zero", "repeat 100000000 true", "repeat 1000 sleep 1" })
        {
            await m.Send(line + "\n");
            await m.WaitFor("\n");
            await Task.Delay(500);
            await m.Send("\x03");
            await m.WaitForPrompt(TimeSpan.FromSeconds(20));
            Assert.Equal("130", await m.RunAsync("echo $?"));
        }
        // In the background, the same pipeline is a job; kill ends its processes one by one.
        string started = await m.RunAsync("cat /dev/zero | wc -c &");
        Assert.Matches(@"^\[1\] \d+$", started);
        Assert.Contains("cat /dev/zero | wc -c &", await m.RunAsync("jobs"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task History_containers_and_watch()
    {
        QemuMachine m = await BootAsync();
        await m.RunAsync("echo first");
        await m.RunAsync("mkdir /config/containers/web /config/containers/db");
        await m.RunAsync("echo $$ > /config/containers/web/addtask");
        await m.RunAsync("memhold 300 600 &");
        await m.RunAsync("echo $$ > /config/containers/web/rmtask");
        string[] history = Lines(await m.RunAsync("history"));
        Assert.Matches(@"^\s*\d+ echo first$", history[^6]);
        Assert.Matches(@"^\s*\d+ history$", history[^1]);
        Assert.Equal("1", await m.RunAsync("history | grep -c 'echo firs[t]'"));

        // Sorted by usage: web holds memhold's pages.
        await Task.Delay(1000);
        string[] view = Lines(await m.RunAsync("containers"));
        Assert.Equal("NAME                   ID  TASKS      USAGE      LIMIT        MAX       HITS       SWAP    OOM", view[0]);
        Assert.Matches(@"^web\s+1\s+1\s+3\d\d\s+\d+\s+3\d\d\s+0\s+0\s+0$", view[1]);
        Assert.Matches(@"^db\s+2\s+0\s+0\s+\d+\s+0\s+0\s+0\s+0$", view[2]);
        Assert.Equal("web", (await m.RunAsync("containers | tail -n 2 | head -n 1")).Split(' ')[0]);

        // containers -w and watch redraw until Ctrl-C.
        foreach ((string command, string header) in new[] { ("containers -w", "NAME "), ("watch -n 1 cat /config/containers/web/num_tasks", "Every 1s: cat /config/containers/web/num_tasks") })
        {
            await m.Send(command + "\n");
            await m.WaitFor(header, TimeSpan.FromSeconds(20));
            await m.WaitFor(header, TimeSpan.FromSeconds(20));   // redrawn
            await m.Send("\x03");
            await m.WaitForPrompt(TimeSpan.FromSeconds(20));
            Assert.Equal("still here", await m.RunAsync("echo still here"));
        }
        await NoneLeft(m, "watc[h]");
        await NoneLeft(m, "containers -[w]");
        await MemcheckOk(m);
    }
}
