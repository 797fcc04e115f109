// 500 random input lines must each give the shell's prompt back, and leave QEMU running. The
// generator never produces the letters p, P, b or B, so no line (nor a Tab completion of one, nor
// a history entry but the harness's own `gc debug on`) can spell panic-test, poweroff, reboot or
// repeat: the dangerous commands are out by construction.
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class FuzzTests(ITestOutputHelper output) : KernelTest(output)
{
    private const int Seed = 0x5eed_2006;
    private const int LineCount = 500;

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

    // Every line gets its prompt back: after each random line a sentinel `echo fz-N` is typed,
    // and the shell must read the sentinel as a fresh line and run it: its output, the sentinel
    // alone on a line, must appear. (The typed echo itself is not matched: a random line may
    // start a background job, `uname -:e&`, whose output lands in the middle of it, as on
    // Linux.) A line whose Enter is lost, or that leaves the shell stuck, fails the test.
    [Fact]
    public async Task Every_random_line_gets_its_prompt_back()
    {
        QemuMachine m = await BootAsync();
        var r = new Random(Seed);
        for (int i = 0; i < LineCount; i++)
        {
            string line = RandomLine(r);
            string sentinel = $"fz-{i}";
            int start = m.Position;
            try
            {
                await m.Send(line + "\n" + $"echo {sentinel}\n");
                await m.WaitFor(new Regex($@"\n{sentinel}\r\n"), TimeSpan.FromSeconds(30));
                await m.WaitForPrompt(TimeSpan.FromSeconds(15));
            }
            catch (QemuException e)
            {
                Assert.Fail($"random line {i} (\"{QemuMachine.Escape(line)}\") did not give the prompt back:\n{e.Message}");
            }
            catch (QemuTimeoutException e)
            {
                Assert.Fail($"random line {i} (\"{QemuMachine.Escape(line)}\") did not give the prompt back " +
                    $"(output since: \"{QemuMachine.Escape(m.SerialSince(start))}\"):\n{e.Message}");
            }
        }
        Output.WriteLine($"{LineCount} random lines, each followed by its prompt and a sentinel command");
        Assert.Equal("alive", await m.RunAsync("echo alive", TimeSpan.FromSeconds(15)));
        Assert.False(m.HasExited, $"QEMU exited (status {m.ExitCode})");
    }
}
