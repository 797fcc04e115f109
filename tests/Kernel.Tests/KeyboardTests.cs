// The PS/2 keyboard path: keys pressed through QEMU's human monitor (`sendkey`) reach the same
// shell as serial input, and what they produce is echoed on serial too.
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class KeyboardTests(ITestOutputHelper output) : KernelTest(output)
{
    [Fact]
    public async Task Typed_keys_run_a_command_with_shift_and_editing()
    {
        string socketPath = Path.Combine(Path.GetTempPath(), $"kernel-mon-{Guid.NewGuid():N}.sock");
        QemuMachine m = await BootAsync(new QemuOptions
        {
            ExtraArgs = ["-chardev", $"socket,id=hmp,path={socketPath},server=on,wait=off", "-mon", "chardev=hmp,mode=readline"],
        });
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
            // "echo Hi !", then Left Left Backspace removes the 'i': the shell must print "H !".
            string[] keys = ["e", "c", "h", "o", "spc", "shift-h", "i", "spc", "shift-1", "left", "left", "backspace", "ret"];
            foreach (string key in keys)
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"sendkey {key}\n"));
                await Task.Delay(60);
            }
            await m.WaitFor(new System.Text.RegularExpressions.Regex(@"\nH !\r?\n"), TimeSpan.FromSeconds(10));
            await m.WaitForPrompt(TimeSpan.FromSeconds(10));
            Assert.Equal("alive", (await m.RunAsync("echo alive")).Trim());
        }
        finally
        {
            File.Delete(socketPath);
        }
    }
}
