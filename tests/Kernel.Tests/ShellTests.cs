// The shell's commands as a user sees them on the serial console.
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class ShellTests(ITestOutputHelper output) : KernelTest(output)
{
    [Fact]
    public async Task Help_lists_the_builtin_commands()
    {
        QemuMachine m = await BootAsync();
        string[] lines = Lines(await m.RunAsync("help"));
        string[] expected = ["help", "echo", "uname", "uptime", "clear", "dmesg", "repeat", "poweroff", "reboot", "panic-test"];
        foreach (string name in expected)
            Assert.True(lines.Any(l => l == name || l.StartsWith(name + " ", StringComparison.Ordinal)),
                $"help has no line starting with '{name}':\n{string.Join('\n', lines)}");
    }

    [Fact]
    public async Task Unknown_command_is_reported_and_the_shell_still_answers()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("sh: foo: not found", await m.RunAsync("foo"));
        Assert.Equal("still here", await m.RunAsync("echo still here"));
    }

    [Fact]
    public async Task Echo_handles_quoting()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("a  b c d e f", await m.RunAsync("echo 'a  b' \"c d\" e\\ f"));
    }

    [Fact]
    public async Task Repeat_runs_a_command_n_times()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal(["hi", "hi", "hi"], Lines(await m.RunAsync("repeat 3 echo hi")));
    }

    [Fact]
    public async Task Informational_commands_exist_and_answer()
    {
        QemuMachine m = await BootAsync();
        foreach (string command in new[] { "uname -a", "uptime", "dmesg", "clear" })
        {
            string result = await m.RunAsync(command);
            Assert.DoesNotContain("not found", result);
            if (command != "clear") Assert.False(string.IsNullOrWhiteSpace(result), $"`{command}` printed nothing");
        }
        Assert.Equal("after clear", await m.RunAsync("echo after clear"));
    }

    [Fact]
    public async Task Selftest_passes()
    {
        QemuMachine m = await BootAsync();
        Assert.Equal("selftest: ok", Lines(await m.RunAsync("selftest", TimeSpan.FromSeconds(30))).LastOrDefault());
    }

    // A run must leave nothing behind that changes the next one (it once checked a static
    // counter it then incremented, and failed `statics` from the second run on).
    [Fact]
    public async Task Selftest_passes_every_time()
    {
        QemuMachine m = await BootAsync();
        for (int run = 1; run <= 3; run++)
            Assert.Equal("selftest: ok", Lines(await m.RunAsync("selftest", TimeSpan.FromSeconds(30))).LastOrDefault());
        Assert.Equal(["selftest: ok", "selftest: ok"], Lines(await m.RunAsync("repeat 2 selftest", TimeSpan.FromSeconds(30))));
    }

    // The class: no self-checking command may depend on having run before (or not).
    [Fact]
    public async Task Every_self_checking_command_passes_every_time()
    {
        QemuMachine m = await BootAsync(new QemuOptions { MemoryMiB = 128 });
        (string Command, string Ok)[] checks =
        [
            ("selftest", "selftest: ok"), ("vmtest", "vmtest: ok"), ("wqtest", ": ok"), ("memtest", ": ok"),
            ("gctest 8", ": ok"), ("memcheck", "memcheck: ok"), ("bench mm", "demand-zero fault"),
        ];
        for (int round = 1; round <= 3; round++)
            foreach ((string command, string ok) in checks)
            {
                string result = await m.RunAsync(command, TimeSpan.FromSeconds(60));
                Assert.True(result.Contains(ok, StringComparison.Ordinal) && !result.Contains("FAILED", StringComparison.Ordinal),
                    $"round {round}: `{command}` printed:\n{result}");
            }
    }
}
