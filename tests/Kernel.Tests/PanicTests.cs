// `panic-test KIND` crashes the kernel on purpose: the panic screen names the exception, dumps
// registers and a backtrace with C# names (Kernel.Commands.Builtins.PanicTest+0xd6), then writes
// to isa-debug-exit so QEMU exits with status 3.
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class PanicTests(ITestOutputHelper output) : KernelTest(output)
{
    [Theory]
    [InlineData("pf", "Page fault (#PF)", 14)]
    [InlineData("de", "Divide error (#DE)", 0)]
    [InlineData("ud", "Invalid opcode (#UD)", 6)]
    [InlineData("df", "Double fault (#DF)", 8)]
    [InlineData("stack", "Double fault (#DF)", 8)] // overflow into the guard page, then #DF on IST1
    public async Task Panic_screen_then_exit_status_3(string kind, string name, int vector)
    {
        QemuMachine m = await BootAsync();
        int start = m.Position;
        await m.Send($"panic-test {kind}\n");
        await m.WaitFor("*** KERNEL PANIC", TimeSpan.FromSeconds(15));
        await m.WaitFor("*** end of panic", TimeSpan.FromSeconds(15));
        int status = await m.WaitForExit(TimeSpan.FromSeconds(15));
        string screen = m.SerialSince(start);
        string where = $"\n--- panic output ---\n{QemuMachine.Escape(screen, keepNewlines: true)}";

        Assert.True(screen.Contains($"*** KERNEL PANIC: {name} vector={vector}", StringComparison.Ordinal),
            $"no '*** KERNEL PANIC: {name} vector={vector}' line{where}");
        Assert.True(Regex.IsMatch(screen, @"RIP=0x[0-9a-f]{16}"), $"no RIP=0x… value{where}");
        if (kind == "pf") Assert.True(Regex.IsMatch(screen, @"CR2=0x[0-9a-f]{16}"), $"no CR2=0x… value{where}");
        Assert.True(screen.Contains("Backtrace:", StringComparison.Ordinal), $"no 'Backtrace:'{where}");
        Assert.True(BacktraceLine.IsMatch(screen), $"no backtrace line with a symbol (/{BacktraceLine}/){where}");
        // Frames carry C# names, not ILC's mangled ones (Kernel_Kernel_Commands_Builtins__PanicTest).
        if (kind is "pf" or "de")   // (ud2 is an asm leaf: its caller's frame is not on the chain)
            Assert.True(Regex.IsMatch(screen, @"#[01] 0x[0-9a-f]{16} Kernel\.Commands\.Builtins\.PanicTest\+0x[0-9a-f]+"), $"no Kernel.Commands.Builtins.PanicTest+0x… frame{where}");
        Assert.True(Regex.IsMatch(screen, @"#\d+ 0x[0-9a-f]{16} Kernel\.Commands\.Shell\.Run\+0x[0-9a-f]+") || kind is "df" or "stack",
            $"no Kernel.Commands.Shell.Run frame{where}");
        Assert.False(screen.Contains("Kernel_Kernel_", StringComparison.Ordinal), $"a mangled name is left{where}");
        Assert.Equal(3, status);
    }
}
