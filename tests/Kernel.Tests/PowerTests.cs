// ACPI power-off ends QEMU cleanly.
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class PowerTests(ITestOutputHelper output) : KernelTest(output)
{
    [Fact]
    public async Task Poweroff_exits_QEMU_with_status_0()
    {
        QemuMachine m = await BootAsync();
        await m.Send("poweroff\n");
        Assert.Equal(0, await m.WaitForExit(TimeSpan.FromSeconds(20)));
    }

    // With -no-reboot QEMU exits instead of resetting: status 0 shows the reset was requested.
    [Fact]
    public async Task Reboot_resets_the_machine()
    {
        QemuMachine m = await BootAsync();
        await m.Send("reboot\n");
        await m.WaitFor("Restarting system.", TimeSpan.FromSeconds(10));
        Assert.Equal(0, await m.WaitForExit(TimeSpan.FromSeconds(15)));
    }
}
