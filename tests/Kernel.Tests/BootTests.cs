// Boot paths: the hybrid ISO under SeaBIOS (GRUB, Multiboot2), QEMU's -kernel (Multiboot1) and
// the ISO under UEFI (OVMF, GRUB's EFI image). Each ends at a prompt that answers a command.
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class BootTests(ITestOutputHelper output) : KernelTest(output)
{
    [Fact]
    public async Task Iso_under_BIOS_boots_to_the_prompt()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Mode = BootMode.Iso });
        Assert.NotNull(m.BootTime);
        Assert.Equal("booted", await m.RunAsync("echo booted"));
    }

    [Fact]
    public async Task Kernel_option_Multiboot1_boots_to_the_prompt()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Mode = BootMode.Kernel });
        Assert.NotNull(m.BootTime);
        Assert.Equal("booted", await m.RunAsync("echo booted"));
    }

    [Fact]
    public async Task Iso_under_UEFI_boots_to_the_prompt()
    {
        QemuMachine m = await BootAsync(new QemuOptions { Mode = BootMode.Uefi, BootTimeout = TimeSpan.FromSeconds(60) });
        Assert.NotNull(m.BootTime);
        Assert.Equal("booted", await m.RunAsync("echo booted"));
    }
}
