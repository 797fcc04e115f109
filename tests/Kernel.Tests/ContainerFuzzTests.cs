// Random but well-formed container traffic: 400 commands that write random values (numbers of
// every size, junk, empty, PIDs) to every control file, mkdir and rmdir random names, read files,
// move the shell in and out and run small memhogs. The kernel must answer every line, never panic,
// and the accounting must still add up at the end (`memcheck: ok`).
using System.Text;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ContainerFuzzTests(ITestOutputHelper output) : KernelTest(output)
{
    private const int Seed = 0x2006_0915;
    private const string Root = "/config/containers";

    private static readonly string[] s_files =
    [
        "id", "num_tasks", "num_files", "num_anon_pages", "num_file_pages", "num_mapped_pages", "num_active_pages",
        "page_usage", "max_page_usage", "page_limit", "task_limit", "page_limit_hits", "task_limit_hits", "freeing",
        "showtasks", "addtask", "rmtask", "nosuchfile",
    ];

    private static readonly string[] s_names = ["a", "b", "c", "a.b-c_9", "x y", "", "..", "description", new string('n', 65)];

    private static string Value(Random r)
    {
        switch (r.Next(8))
        {
            case 0: return r.Next(0, 5).ToString();
            case 1: return r.Next().ToString();
            case 2: return new string('9', r.Next(10, 40));
            case 3: return "-" + r.Next(100);
            case 4: return "''";
            case 5: return "1";   // the shell's PID
            default:
                var sb = new StringBuilder();
                int n = r.Next(1, 30);
                for (int i = 0; i < n; i++)
                {
                    char c = (char)r.Next(0x20, 0x7f);
                    sb.Append(c == '\'' ? 'q' : c);
                }
                return "'" + sb + "'";
        }
    }

    private static string Command(Random r)
    {
        string name = s_names[r.Next(s_names.Length)];
        string dir = $"'{Root}/{name}'";
        switch (r.Next(10))
        {
            case 0: return $"mkdir {dir}";
            case 1: return $"rmdir {dir}";
            case 2: case 3: return $"cat '{Root}/{name}/{s_files[r.Next(s_files.Length)]}'";
            case 4: return $"memhog {r.Next(1, 50)}";
            case 5: return $"echo 1 > '{Root}/{name}/{(r.Next(2) == 0 ? "addtask" : "rmtask")}'";
            default: return $"echo {Value(r)} > '{Root}/{name}/{s_files[r.Next(s_files.Length)]}'";
        }
    }

    [Fact]
    public async Task Random_writes_to_control_files_never_break_the_kernel_or_the_accounting()
    {
        QemuMachine m = await BootAsync();
        var r = new Random(Seed);
        for (int i = 0; i < 400; i++) await m.RunAsync(Command(r), TimeSpan.FromSeconds(30));
        // Take the shell out of whatever container it is in, then audit.
        foreach (string name in s_names) await m.RunAsync($"echo 1 > '{Root}/{name}/rmtask'");
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", TimeSpan.FromSeconds(30)));
        foreach (string name in s_names) await m.RunAsync($"rmdir '{Root}/{name}'");
        Assert.Equal("description", await m.RunAsync($"ls {Root}"));
        Assert.Equal("memcheck: ok", await m.RunAsync("memcheck", TimeSpan.FromSeconds(30)));
        Assert.Equal("alive", await m.RunAsync("echo alive"));
    }
}
