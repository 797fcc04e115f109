// Base class of the QEMU tests: boots machines for a test (prepared for tests: gc debug on unless
// the options say otherwise), and when the test ends kills them and writes each machine's boot
// time and serial transcript to the test output.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public abstract class KernelTest(ITestOutputHelper output) : IAsyncLifetime
{
    // A backtrace line with a resolved symbol: "#0 0xffffffff80012345 Some_Mangled_Name+0x1c".
    public static readonly Regex BacktraceLine = new(@"#\d+ 0x[0-9a-f]{16} [A-Za-z_][\w.:<>,`$]*\+0x[0-9a-f]+");

    private readonly List<QemuMachine> _machines = [];
    protected ITestOutputHelper Output { get; } = output;

    protected async Task<QemuMachine> BootAsync(QemuOptions? options = null)
    {
        QemuMachine m = await QemuMachine.StartAsync(options);
        lock (_machines) _machines.Add(m);
        await m.WaitForPrompt(m.Options.EffectiveBootTimeout);
        Output.WriteLine($"boot ({m.Options.Mode}, {m.Options.MemoryMiB} MiB): first prompt after {m.BootTime?.TotalSeconds:0.000} s");
        await m.PrepareForTestsAsync();
        return m;
    }

    // The non-empty lines of a command's output.
    protected static string[] Lines(string output) =>
        output.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        List<QemuMachine> machines;
        lock (_machines) machines = [.. _machines];
        foreach (QemuMachine m in machines)
        {
            await m.DisposeAsync();
            try
            {
                Output.WriteLine($"--- serial transcript ({m.Options.Mode}, QEMU status {m.ExitCode?.ToString() ?? "killed"}), last 4 KB ---");
                Output.WriteLine(m.Tail(4096));
            }
            catch (InvalidOperationException)
            {
                // no test is running any more (output helper closed)
            }
        }
    }
}
