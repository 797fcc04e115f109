// Memory containers end to end, through /config/containers as a user drives them. The scenarios
// follow the Linux Test Project's memcg tests and the kernel's test_memcontrol selftest, in this
// interface: fresh containers read zero, charges are exact and go away on exit, file pages and
// mappings are counted, fork inherits, limits are enforced and bad values refused with errno
// texts, charges stay where they were made, and every scenario ends with `memcheck: ok`.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ContainerTests(ITestOutputHelper output) : KernelTest(output)
{
    private const string Root = "/config/containers";

    private static readonly string[] Statistics =
    [
        "num_tasks", "num_files", "num_anon_pages", "num_file_pages", "num_mapped_pages", "num_active_pages",
        "page_usage", "max_page_usage", "page_limit_hits", "task_limit_hits", "freeing",
        "num_swap_pages", "pages_reclaimed", "pages_swapped_out", "pages_swapped_in", "reclaim_runs",
        "throttle_count", "throttle_ms", "oom_kills",
    ];

    // /bg.out (where background programs write) is created outside any container first: a file
    // belongs to whoever brought it in, so its page never counts against a container under test.
    private async Task<QemuMachine> Boot()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("", await m.RunAsync("echo > /bg.out"));
        return m;
    }

    private static async Task<string> Read(QemuMachine m, string container, string file) =>
        await m.RunAsync($"cat {Root}/{container}/{file}");

    // The value's line: a job notice ("[1]+  Terminated ...") may come after it.
    private static async Task<long> Number(QemuMachine m, string container, string file) =>
        long.Parse(Lines(await Read(m, container, file)).First(l => !l.StartsWith('[')));

    private static async Task<string> Write(QemuMachine m, string container, string file, string value) =>
        await m.RunAsync($"echo {value} > {Root}/{container}/{file}");

    private static async Task MemcheckOk(QemuMachine m)
    {
        string[] lines = Lines(await m.RunAsync("memcheck", TimeSpan.FromSeconds(30))).Where(l => l.StartsWith("memcheck")).ToArray();
        Assert.Equal(["memcheck: ok"], lines);
    }

    // Its output goes to a file, so that it cannot interleave with the commands that follow.
    private static async Task<int> StartBackground(QemuMachine m, string command)
    {
        Match started = Regex.Match(await m.RunAsync(command + " > /bg.out &"), @"\[\d+\] (\d+)");
        Assert.True(started.Success, command);
        return int.Parse(started.Groups[1].Value);
    }

    // Polls until the file reads the value (a background program gets there in its own time).
    private static async Task Eventually(QemuMachine m, string container, string file, long want)
    {
        long got = -1;
        for (int i = 0; i < 100 && got != want; i++)
        {
            if (i > 0) await Task.Delay(100);
            got = await Number(m, container, file);
        }
        Assert.Equal(want, got);
    }

    [Fact]
    public async Task A_new_container_has_every_file_and_reads_zero()
    {
        QemuMachine m = await Boot();
        Assert.Matches(@"\S", await m.RunAsync($"cat {Root}/description"));
        Assert.Equal("", await m.RunAsync($"mkdir {Root}/fresh"));
        string ls = await m.RunAsync($"ls {Root}/fresh");
        foreach (string f in Statistics.Concat(["id", "page_limit", "task_limit", "showtasks", "addtask", "rmtask"]))
            Assert.Contains(f, ls.Split('\n'));
        foreach (string f in Statistics) Assert.Equal("0", await Read(m, "fresh", f));
        Assert.True(await Number(m, "fresh", "id") > 0);
        Assert.Equal("100", await Read(m, "fresh", "task_limit"));
        Assert.InRange(await Number(m, "fresh", "page_limit"), 100_000, 140_000);   // all usable pages of 512 MiB
        Assert.Equal("", await Read(m, "fresh", "showtasks"));
        Assert.Matches(@"(?m)^--w-------\s+1 root\s+root\s+\d+ .{12} addtask$", await m.RunAsync($"ls -l {Root}/fresh"));
        Assert.Matches(@"(?m)^-rw-r--r--\s+1 root\s+root\s+\d+ .{12} page_limit$", await m.RunAsync($"ls -l {Root}/fresh"));
        Assert.Matches(@"(?m)^-r--r--r--\s+1 root\s+root\s+\d+ .{12} num_tasks$", await m.RunAsync($"ls -l {Root}/fresh"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Names_are_checked_and_the_namespace_is_flat()
    {
        QemuMachine m = await Boot();
        Assert.Equal("", await m.RunAsync($"mkdir {Root}/A-z_0.9"));
        Assert.Equal($"mkdir: can't create directory '{Root}/A-z_0.9': File exists", await m.RunAsync($"mkdir {Root}/A-z_0.9"));
        Assert.Equal($"mkdir: can't create directory '{Root}/bad name': Invalid argument", await m.RunAsync($"mkdir '{Root}/bad name'"));
        Assert.Equal($"mkdir: can't create directory '{Root}/a*b': Invalid argument", await m.RunAsync($"mkdir '{Root}/a*b'"));
        string long65 = new('x', 65);
        Assert.Equal($"mkdir: can't create directory '{Root}/{long65}': Invalid argument", await m.RunAsync($"mkdir {Root}/{long65}"));
        Assert.Equal("", await m.RunAsync($"mkdir {Root}/{new string('y', 64)}"));
        Assert.Equal($"mkdir: can't create directory '{Root}/A-z_0.9/sub': Operation not permitted", await m.RunAsync($"mkdir {Root}/A-z_0.9/sub"));
        Assert.Equal("mkdir: can't create directory '/config/other': Operation not permitted", await m.RunAsync("mkdir /config/other"));
        Assert.Equal($"touch: cannot touch '{Root}/A-z_0.9/newfile': Permission denied", await m.RunAsync($"touch {Root}/A-z_0.9/newfile"));
        Assert.Equal($"rm: can't remove '{Root}/A-z_0.9/id': Operation not permitted", await m.RunAsync($"rm {Root}/A-z_0.9/id"));
        Assert.Equal("rmdir: '/config/containers': Operation not permitted", await m.RunAsync("rmdir /config/containers"));
        Assert.Equal("", await m.RunAsync($"rmdir {Root}/A-z_0.9"));
        Assert.Equal($"rmdir: '{Root}/A-z_0.9': No such file or directory", await m.RunAsync($"rmdir {Root}/A-z_0.9"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Read_only_and_write_only_files_answer_eacces()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/p");
        Assert.Equal($"cat: can't open '{Root}/p/addtask': Permission denied", await m.RunAsync($"cat {Root}/p/addtask"));
        Assert.Equal($"cat: can't open '{Root}/p/rmtask': Permission denied", await m.RunAsync($"cat {Root}/p/rmtask"));
        foreach (string f in Statistics.Where(f => f != "max_page_usage").Append("id").Append("showtasks"))
            Assert.Equal($"sh: can't create {Root}/p/{f}: Permission denied", await Write(m, "p", f, "1"));
        Assert.Equal($"sh: can't create {Root}/description: Permission denied", await m.RunAsync($"echo x > {Root}/description"));
        Assert.Equal("0", await Read(m, "p", "num_tasks"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Limits_accept_only_decimal_integers_and_keep_their_value_otherwise()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/v");
        foreach (string file in new[] { "page_limit", "task_limit" })
        {
            Assert.Equal("", await Write(m, "v", file, "77"));
            Assert.Equal("77", await Read(m, "v", file));
            foreach (string bad in new[] { "xx", "1xx", "1.0", "-5", "''", "' 5'", "0x10" })
                Assert.Equal("sh: write error: Invalid argument", await Write(m, "v", file, bad));
            Assert.Equal("sh: write error: Numerical result out of range", await Write(m, "v", file, "2147483648"));
            Assert.Equal("sh: write error: Numerical result out of range", await Write(m, "v", file, "99999999999999999999999"));
            Assert.Equal("77", await Read(m, "v", file));
            Assert.Equal("", await Write(m, "v", file, "2147483647"));
            Assert.Equal("2147483647", await Read(m, "v", file));
            Assert.Equal("", await Write(m, "v", file, "0"));
            Assert.Equal("0", await Read(m, "v", file));
        }
        Assert.Equal("", await m.RunAsync($"echo -n 1234 > {Root}/v/page_limit"));   // no newline is fine too
        Assert.Equal("1234", await Read(m, "v", "page_limit"));
        Assert.Equal("sh: write error: Invalid argument", await Write(m, "v", "max_page_usage", "5"));
        foreach (string bad in new[] { "abc", "12abc", "-1", "''" })
        {
            Assert.Equal("sh: write error: Invalid argument", await Write(m, "v", "addtask", bad));
            Assert.Equal("sh: write error: Invalid argument", await Write(m, "v", "rmtask", bad));
        }
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Addtask_and_rmtask_report_every_error()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/a");
        await m.RunAsync($"mkdir {Root}/b");
        Assert.Equal("sh: write error: No such process", await Write(m, "a", "addtask", "4000"));
        int events = int.Parse(Regex.Match(await m.RunAsync("ps"), @"(?m)^\s+(\d+)\s+0\s+\S+\s+\S+\s+\d+ -\s+\[events\]$").Groups[1].Value);
        Assert.Equal("sh: write error: Operation not permitted", await Write(m, "a", "addtask", events.ToString()));
        int pid = await StartBackground(m, "sleep 60");
        Assert.Equal("", await Write(m, "a", "addtask", pid.ToString()));
        Assert.Equal("sh: write error: Device or resource busy", await Write(m, "a", "addtask", pid.ToString()));
        Assert.Equal("sh: write error: Device or resource busy", await Write(m, "b", "addtask", pid.ToString()));
        Assert.Equal(pid.ToString(), await Read(m, "a", "showtasks"));
        Assert.Matches($@"(?m)^\s+{pid}\s+1\s+S\s+\S+\s+\d+ a\s+sleep 60$", await m.RunAsync("ps"));
        Assert.Equal("sh: write error: Invalid argument", await Write(m, "b", "rmtask", pid.ToString()));
        Assert.Equal("sh: write error: No such process", await Write(m, "b", "rmtask", "4000"));
        Assert.Equal("1", await Read(m, "a", "num_tasks"));
        // task_limit: ENOSPC and a hit.
        Assert.Equal("", await Write(m, "b", "task_limit", "0"));
        Assert.Equal("", await Write(m, "a", "rmtask", pid.ToString()));
        Assert.Equal("sh: write error: No space left on device", await Write(m, "b", "addtask", pid.ToString()));
        Assert.Equal("1", await Read(m, "b", "task_limit_hits"));
        Assert.Equal("0", await Read(m, "a", "num_tasks"));
        Assert.Equal("0", await Read(m, "b", "num_tasks"));
        Assert.Equal("", await m.RunAsync($"kill {pid}"));
        await MemcheckOk(m);
    }

    // test_memcontrol's test_memcg_current: a program's anonymous pages are charged exactly, and
    // uncharged when it exits.
    [Fact]
    public async Task Memhog_in_a_container_charges_exactly_its_pages_and_frees_them_on_exit()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/hog");
        Assert.Equal("", await Write(m, "hog", "addtask", "1"));   // the shell: its children join
        Assert.Matches(@"^memhog pages=1500 passes=2 ms=\d+$", await m.RunAsync("memhog 1500 2", TimeSpan.FromSeconds(60)));
        Assert.Equal("1500", await Read(m, "hog", "max_page_usage"));
        Assert.Equal("0", await Read(m, "hog", "page_usage"));
        Assert.Equal("0", await Read(m, "hog", "num_anon_pages"));
        int pid = await StartBackground(m, "memhold 321 60");
        await Eventually(m, "hog", "num_anon_pages", 321);
        Assert.Equal("321", await Read(m, "hog", "page_usage"));
        Assert.Equal("2", await Read(m, "hog", "num_tasks"));
        Assert.Equal($"1\n{pid}", await Read(m, "hog", "showtasks"));
        Assert.InRange(await Number(m, "hog", "num_active_pages"), 0, 321);
        await MemcheckOk(m);
        Assert.Equal("", await m.RunAsync($"kill {pid}"));
        await Eventually(m, "hog", "num_anon_pages", 0);
        await Eventually(m, "hog", "num_tasks", 1);
        Assert.Equal("", await Write(m, "hog", "max_page_usage", "0"));
        Assert.Equal("0", await Read(m, "hog", "max_page_usage"));
        Assert.Equal("0", await Read(m, "hog", "page_limit_hits"));
        await MemcheckOk(m);
    }

    // The shell writes a file while in a container: the file (its address_space) and its pages
    // are charged there; mapfile maps them (num_mapped_pages) and unmaps them on exit; rm uncharges.
    [Fact]
    public async Task File_writes_and_mapfile_move_the_file_counters()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/files");
        await m.RunAsync("echo 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789 > /line");
        Assert.Equal("", await Write(m, "files", "addtask", "1"));
        Assert.Equal("", await m.RunAsync("repeat 400 cat /line > /data", TimeSpan.FromSeconds(30)));   // 40400 bytes: 10 pages
        Assert.Equal("1", await Read(m, "files", "num_files"));
        Assert.Equal("10", await Read(m, "files", "num_file_pages"));
        Assert.Equal("10", await Read(m, "files", "page_usage"));
        Assert.Equal("0", await Read(m, "files", "num_mapped_pages"));
        int pid = await StartBackground(m, "mapfile /data 60");
        await Eventually(m, "files", "num_mapped_pages", 10);
        Assert.Equal("10", await Read(m, "files", "num_file_pages"));   // mapped, not copied
        await MemcheckOk(m);
        // Removing a mapped file removes its name; its pages live until the mapping goes.
        Assert.Equal("", await m.RunAsync("rm /data"));
        Assert.Equal("10", await Read(m, "files", "num_file_pages"));
        Assert.Equal("10", await Read(m, "files", "num_mapped_pages"));
        Assert.Equal("1", await Read(m, "files", "num_files"));   // mapfile holds it open
        Assert.Equal("", await m.RunAsync($"kill {pid}"));
        await Eventually(m, "files", "num_mapped_pages", 0);
        await Eventually(m, "files", "num_file_pages", 0);
        Assert.Equal("0", await Read(m, "files", "num_files"));
        Assert.Equal("", await m.RunAsync("repeat 400 cat /line > /data", TimeSpan.FromSeconds(30)));
        Assert.Equal("mapfile: /data: 10 pages", (await m.RunAsync("mapfile /data", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal("", await m.RunAsync("rm /data"));
        Assert.Equal("0", await Read(m, "files", "num_files"));
        Assert.Equal("0", await Read(m, "files", "num_file_pages"));
        Assert.Equal("0", await Read(m, "files", "page_usage"));
        Assert.Contains("mapfile: /config: Is a directory", await m.RunAsync("mapfile /config"));
        Assert.Contains("mapfile: /nope: No such file or directory", await m.RunAsync("mapfile /nope"));
        await MemcheckOk(m);
    }

    // A page-cache page belongs to the container of the file's address_space (whoever brought
    // the file in), not to the container of the process that maps it later.
    [Fact]
    public async Task File_pages_stay_with_the_container_that_brought_the_file_in()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/writer");
        await m.RunAsync($"mkdir {Root}/reader");
        Assert.Equal("", await Write(m, "writer", "addtask", "1"));
        Assert.Equal("", await m.RunAsync("echo shared > /shared"));
        Assert.Equal("", await Write(m, "writer", "rmtask", "1"));
        Assert.Equal("", await Write(m, "reader", "addtask", "1"));
        Assert.Equal("mapfile: /shared: 1 pages", (await m.RunAsync("mapfile /shared", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal("1", await Read(m, "writer", "num_file_pages"));
        Assert.Equal("0", await Read(m, "reader", "num_file_pages"));
        Assert.Equal("0", await Read(m, "reader", "num_files"));
        Assert.Equal("", await m.RunAsync("echo more >> /shared"));   // the file is already charged to writer
        Assert.Equal("1", await Read(m, "writer", "num_files"));
        Assert.Equal("0", await Read(m, "reader", "page_usage"));
        await MemcheckOk(m);
    }

    // LTP memcg_move_charge-like, with memcg v2 semantics: moving a task does not move its charge.
    [Fact]
    public async Task Moving_a_task_does_not_move_its_charge()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/from");
        await m.RunAsync($"mkdir {Root}/to");
        int outside = await StartBackground(m, "memhold 50 60");
        await Task.Delay(500);
        Assert.Equal("", await Write(m, "to", "addtask", outside.ToString()));   // its 50 pages stay with the root
        Assert.Equal("0", await Read(m, "to", "page_usage"));
        Assert.Equal("", await Write(m, "from", "addtask", "1"));
        int pid = await StartBackground(m, "memhold 200 60");
        await Eventually(m, "from", "num_anon_pages", 200);
        Assert.Equal("", await Write(m, "from", "rmtask", pid.ToString()));
        Assert.Equal("", await Write(m, "to", "addtask", pid.ToString()));
        Assert.Equal("200", await Read(m, "from", "num_anon_pages"));
        Assert.Equal("0", await Read(m, "to", "num_anon_pages"));
        Assert.Equal("2", await Read(m, "to", "num_tasks"));
        await MemcheckOk(m);
        Assert.Equal("", await m.RunAsync($"kill {pid} {outside}"));
        await Eventually(m, "from", "num_anon_pages", 0);
        await Eventually(m, "to", "num_tasks", 0);
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Fork_inherits_the_container_and_task_limit_stops_forks()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/fam");
        Assert.Equal("", await Write(m, "fam", "task_limit", "3"));
        Assert.Equal("", await Write(m, "fam", "addtask", "1"));
        int a = await StartBackground(m, "sleep 60");
        int b = await StartBackground(m, "sleep 60");
        Assert.Equal($"1\n{a}\n{b}", await Read(m, "fam", "showtasks"));
        Assert.Equal("sh: fork: Resource temporarily unavailable", await m.RunAsync("sleep 1"));
        Assert.Equal("1", await Read(m, "fam", "task_limit_hits"));
        Assert.Matches(@"(?m)\s+fam\s+sleep 60$", await m.RunAsync("ps"));
        Assert.Equal("", await m.RunAsync($"kill {a}"));
        await Eventually(m, "fam", "num_tasks", 2);
        // forker itself makes 3: each of its 5 children fails with EAGAIN.
        Assert.Equal("forker: 0 started, 5 failed, 0 exited with an error", (await m.RunAsync("forker 5 3", TimeSpan.FromSeconds(30))).Trim());
        Assert.Equal("6", await Read(m, "fam", "task_limit_hits"));
        Assert.Equal("", await m.RunAsync($"kill {b}"));
        await MemcheckOk(m);
    }

    // A mass fork against task_limit 0 fails cleanly every time and the kernel lives on.
    [Fact]
    public async Task A_mass_fork_at_task_limit_zero_fails_cleanly()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/zero");
        Assert.Equal("", await Write(m, "zero", "task_limit", "2"));
        Assert.Equal("", await Write(m, "zero", "addtask", "1"));
        Assert.Equal("forker: 0 started, 300 failed, 0 exited with an error", (await m.RunAsync("forker 300", TimeSpan.FromSeconds(60))).Trim());
        Assert.Equal("300", await Read(m, "zero", "task_limit_hits"));
        Assert.Equal("", await Write(m, "zero", "task_limit", "0"));
        string[] refused = Lines(await m.RunAsync("repeat 200 forker 10", TimeSpan.FromSeconds(30)));
        Assert.Equal(200, refused.Count(l => l == "sh: fork: Resource temporarily unavailable"));
        Assert.Equal(200, refused.Length);
        Assert.Equal("500", await Read(m, "zero", "task_limit_hits"));
        Assert.Equal("1", await Read(m, "zero", "num_tasks"));
        Assert.Equal("", await Write(m, "zero", "rmtask", "1"));
        Assert.Equal("alive", await m.RunAsync("echo alive"));
        await MemcheckOk(m);
    }

    // Over page_limit without swap: each charge over the limit is a hit and wakes the reaper;
    // past limit + limit/8 the task is throttled; the reaper can free nothing (anonymous pages,
    // no swap), so the biggest task of the container, and only of it, is killed.
    [Fact]
    public async Task Without_swap_a_container_far_over_its_limit_kills_its_biggest_task()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/lim");
        await m.RunAsync($"mkdir {Root}/other");
        Assert.Equal("", await Write(m, "lim", "page_limit", "100"));
        int bystander = await StartBackground(m, "memhold 200 60");   // in no container
        Assert.Equal("", await Write(m, "other", "addtask", "1"));
        int neighbour = await StartBackground(m, "memhold 150 60");   // in another container
        Assert.Equal("", await Write(m, "other", "rmtask", "1"));
        await Eventually(m, "other", "page_usage", 150);
        Assert.Equal("", await Write(m, "lim", "addtask", "1"));
        string run = await m.RunAsync("memhog 300", TimeSpan.FromSeconds(30));
        Assert.Matches(@"containers: lim out of memory: killed process \d+ \(memhog 300\), rss \d+ pages, swap 0 pages", run);
        Assert.Contains("Killed", run);
        Assert.Equal("", await Write(m, "lim", "rmtask", "1"));
        Assert.Equal("1", await Read(m, "lim", "oom_kills"));
        Assert.True(await Number(m, "lim", "page_limit_hits") >= 12);
        Assert.True(await Number(m, "lim", "throttle_count") >= 1);
        Assert.True(await Number(m, "lim", "reclaim_runs") >= 1);
        Assert.InRange(await Number(m, "lim", "max_page_usage"), 112, 200);   // throttled from limit + limit/8
        Assert.Equal("0", await Read(m, "lim", "page_usage"));
        Assert.Matches(@"containers: lim out of memory: killed process", await m.RunAsync("dmesg"));
        // Nobody else was touched.
        Assert.Matches($@"(?m)^\s*{bystander}\s", await m.RunAsync("ps"));
        Assert.Matches($@"(?m)^\s*{neighbour}\s", await m.RunAsync("ps"));
        Assert.Equal("150", await Read(m, "other", "page_usage"));
        Assert.Equal("0", await Read(m, "other", "oom_kills"));
        // A limit lowered below the usage is a hit at once; with nobody throttled nothing dies.
        Assert.Equal("", await Write(m, "lim", "addtask", "1"));
        int pid = await StartBackground(m, "memhold 50 60");
        Assert.Equal("", await Write(m, "lim", "rmtask", "1"));
        await Eventually(m, "lim", "page_usage", 50);
        long hits = await Number(m, "lim", "page_limit_hits");
        Assert.Equal("", await Write(m, "lim", "page_limit", "10"));
        Assert.Equal((hits + 1).ToString(), await Read(m, "lim", "page_limit_hits"));
        await Task.Delay(300);
        Assert.Equal("1", await Read(m, "lim", "oom_kills"));
        foreach (int p in new[] { pid, bystander, neighbour }) await m.RunAsync($"kill {p}");
        await Eventually(m, "lim", "page_usage", 0);
        await Eventually(m, "other", "page_usage", 0);
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Rmdir_refuses_a_busy_container_and_hands_remaining_charges_to_the_root()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/gone");
        Assert.Equal("", await Write(m, "gone", "addtask", "1"));
        Assert.Equal("", await m.RunAsync("echo keep > /kept"));
        Assert.Equal($"rmdir: '{Root}/gone': Device or resource busy", await m.RunAsync($"rmdir {Root}/gone"));
        Assert.Equal("", await Write(m, "gone", "rmtask", "1"));
        long id = await Number(m, "gone", "id");
        Assert.Equal("1", await Read(m, "gone", "num_file_pages"));
        Assert.Equal("", await m.RunAsync($"rmdir {Root}/gone"));
        Assert.Equal("description", await m.RunAsync($"ls {Root}"));
        await MemcheckOk(m);
        Assert.Equal("keep", await m.RunAsync("cat /kept"));
        Assert.Equal("", await m.RunAsync($"mkdir {Root}/next"));
        Assert.Equal(id, await Number(m, "next", "id"));   // the id was released
        Assert.Equal("0", await Read(m, "next", "num_file_pages"));
        Assert.Equal("", await m.RunAsync("rm /kept"));
        await MemcheckOk(m);
    }

    [Fact]
    public async Task Five_hundred_twelve_containers_then_enospc()
    {
        QemuMachine m = await Boot();
        Assert.Equal("", await m.RunAsync($"cd {Root}"));
        for (int first = 1; first <= 512; first += 60)
            Assert.Equal("", await m.RunAsync("mkdir " + string.Join(' ', Enumerable.Range(first, Math.Min(60, 513 - first)).Select(i => $"c{i}")), TimeSpan.FromSeconds(30)));
        Assert.Equal("mkdir: can't create directory 'one-more': No space left on device", await m.RunAsync("mkdir one-more"));
        var ids = new HashSet<string>();
        foreach (int i in new[] { 1, 2, 255, 511, 512 }) Assert.True(ids.Add(await m.RunAsync($"cat c{i}/id")));
        Assert.Equal("", await m.RunAsync("rmdir c7"));
        Assert.Equal("", await m.RunAsync("mkdir one-more"));
        for (int first = 1; first <= 512; first += 60)
            await m.RunAsync("rmdir " + string.Join(' ', Enumerable.Range(first, Math.Min(60, 513 - first)).Where(i => i != 7).Select(i => $"c{i}")), TimeSpan.FromSeconds(30));
        Assert.Equal("", await m.RunAsync("rmdir one-more"));
        Assert.Equal("description", await m.RunAsync("ls"));
        Assert.Equal("", await m.RunAsync("cd /"));
        Assert.Equal("", await m.RunAsync("umount /config"));
        await MemcheckOk(m);
    }

    // 1,000 mkdir/addtask/rmtask/rmdir cycles (a script run by repeat) leave nothing behind.
    [Fact]
    public async Task A_thousand_container_cycles_leak_nothing()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"echo 'mkdir {Root}/cyc' > /cycle");
        await m.RunAsync($"echo 'echo 1 > {Root}/cyc/addtask' >> /cycle");
        await m.RunAsync($"echo 'memhog 4 > /dev-null' >> /cycle");
        await m.RunAsync($"echo 'echo 1 > {Root}/cyc/rmtask' >> /cycle");
        await m.RunAsync($"echo 'rmdir {Root}/cyc' >> /cycle");
        await m.RunAsync("echo 'echo x >> /cycles.log' >> /cycle");
        await m.RunAsync("repeat 5 sh /cycle");   // warm up the heap's size classes
        string before = await m.RunAsync("meminfo");
        Assert.Equal("", await m.RunAsync("repeat 1000 sh /cycle", TimeSpan.FromSeconds(240)));
        string after = await m.RunAsync("meminfo");
        Assert.Equal(Charged(before), Charged(after));
        Assert.Matches(@"Size: 2010\s", await m.RunAsync("stat /cycles.log"));   // 1,005 cycles ran to the end
        Assert.Matches(@"^memhog pages=4 passes=1 ms=\d+$", await m.RunAsync("cat /dev-null"));
        Assert.Equal("description", await m.RunAsync($"ls {Root}"));
        Assert.Equal("", await m.RunAsync($"mkdir {Root}/last"));
        Assert.Equal("1", await m.RunAsync($"cat {Root}/last/id"));   // every id came back
        await MemcheckOk(m);
    }

    private static string Charged(string meminfo) => Regex.Match(meminfo, @"charged: .*").Value;

    [Fact]
    public async Task Meminfo_and_ps_show_the_charges()
    {
        QemuMachine m = await Boot();
        await m.RunAsync($"mkdir {Root}/shown");
        Assert.Equal("", await Write(m, "shown", "addtask", "1"));
        int pid = await StartBackground(m, "memhold 64 60");
        await Eventually(m, "shown", "num_anon_pages", 64);
        Assert.Matches(@"charged: 64 pages to 1 containers, \d+ pages to the root", await m.RunAsync("meminfo"));
        Assert.Matches($@"(?m)^\s+{pid}\s+1\s+S\s+\S+\s+\d+ shown\s+memhold 64 60$", await m.RunAsync("ps"));
        Assert.Matches(@"(?m)^\s+1\s+0\s+R\s+\S+\s+\d+ shown\s+sh$", await m.RunAsync("ps"));
        Assert.Equal("", await m.RunAsync($"kill {pid}"));
        await MemcheckOk(m);
    }

    // The benchmark runs and charges exactly memhog's pages; its ratio is a figure, not a test.
    [Fact]
    public async Task Bench_containers_prints_the_charging_overhead()
    {
        QemuMachine m = await Boot();
        string bench = await m.RunAsync("bench containers", TimeSpan.FromSeconds(120));
        Assert.Matches(@"bench containers: memhog 4096 3 in a container \d+ us, in none \d+ us \(medians of 15; peak charge 4096 pages\)", bench);
        Assert.Matches(@"bench containers: charging overhead ratio \d\.\d{3} \(target <= 1\.05\)", bench);
        Assert.Equal("description", await m.RunAsync($"ls {Root}"));
        await MemcheckOk(m);
    }
}
