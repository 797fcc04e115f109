// 500 random input lines must leave the shell answering and QEMU running. The generator never
// produces the letters p, P, b or B, so no line (nor a Tab completion of one, nor a history entry)
// can spell panic-test, poweroff, reboot or repeat: the dangerous commands are out by construction.
using System.Text;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class FuzzTests(ITestOutputHelper output) : KernelTest(output)
{
    private const int Seed = 0x5eed_2006;
    private const int LineCount = 500;
    private const int BatchSize = 10;

    private static readonly string[] s_fragments =
    [
        "echo ", "uname -", "help", "dmesg", "clear", "selftest", "'", "\"", "\\", "  ", "--",
        "\u001b[D", "\u001b[C", "\u001b[A", "\u001b[B", "\u001b[H", "\u001b[F", "\u001b[3~", "\u001b[1~", "\u001b[4~",
        "\u001bOD", "\u001b[99999999D", "\u001b[", "\u001b", "\t", "\t\t", "\u0015", "\u0003", "\u0004", "\r\n", "\r",
    ];

    public static string RandomLine(Random r)
    {
        int shape = r.Next(100);
        int length = shape < 4 ? r.Next(1025, 1501) : shape < 12 ? r.Next(80, 1025) : r.Next(0, 80);
        var sb = new StringBuilder(length + 16);
        while (sb.Length < length)
        {
            int k = r.Next(100);
            if (k < 55) sb.Append((char)r.Next(0x20, 0x7f));            // printable ASCII
            else if (k < 65) sb.Append(s_fragments[r.Next(s_fragments.Length)]);
            else if (k < 80) sb.Append((char)r.Next(0x00, 0x20));       // control bytes
            else if (k < 85) sb.Append('\u007f');                          // DEL
            else sb.Append((char)r.Next(0x80, 0x100));                   // bytes >= 0x80
        }
        for (int i = 0; i < sb.Length; i++)
            if (sb[i] is 'p' or 'P' or 'b' or 'B') sb[i] = 'x';
        return sb.ToString();
    }

    [Fact]
    public void Generator_cannot_spell_a_dangerous_command()
    {
        var r = new Random(Seed);
        for (int i = 0; i < LineCount; i++)
        {
            string line = RandomLine(r);
            Assert.True(line.Length <= 1600);
            Assert.DoesNotContain('p', line);
            Assert.DoesNotContain('b', line);
        }
    }

    [Fact]
    public async Task Random_input_leaves_the_shell_answering()
    {
        QemuMachine m = await BootAsync();
        var r = new Random(Seed);
        int missedPrompts = 0;
        for (int i = 0; i < LineCount; i++)
        {
            string line = RandomLine(r);
            try
            {
                await m.Send(line + "\n");
                // Throttle: wait until the shell is idle at a prompt (one line with CRs or Ctrl-C
                // in it yields several prompts). The echo of random bytes is noisy, so a miss is
                // counted, not fatal; what matters is that the shell answers at the end.
                try { await m.WaitForIdlePrompt(TimeSpan.FromSeconds(i % BatchSize == BatchSize - 1 ? 10 : 3)); }
                catch (QemuTimeoutException) { missedPrompts++; }
            }
            catch (QemuExitedException e)
            {
                Assert.Fail($"QEMU exited after random line {i} (\"{QemuMachine.Escape(line)}\"):\n{e.Message}");
            }
        }
        Output.WriteLine($"{LineCount} random lines sent; {missedPrompts} waits for an idle prompt timed out");

        for (int attempt = 1; ; attempt++)
        {
            await m.Send("\u0003");
            try { await m.WaitForIdlePrompt(TimeSpan.FromSeconds(10)); } catch (QemuTimeoutException) { }
            try
            {
                Assert.Equal("alive", await m.RunAsync("echo alive", TimeSpan.FromSeconds(15)));
                break;
            }
            catch (QemuTimeoutException) when (attempt < 3)
            {
            }
        }
        Assert.False(m.HasExited, $"QEMU exited (status {m.ExitCode})");
    }
}
