// Input that arrives faster than the shell reads it: nothing typed may be lost, above all not the
// Enter that ends a line. A 5,000-character paste overflows both the line editor (1,024 chars)
// and the 4 KiB input ring when it arrives while the shell is busy (typed ahead during a
// command); the Enter and the command sent right behind it must still arrive, every time.
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class InputTests(ITestOutputHelper output) : KernelTest(output)
{
    [Theory]
    [InlineData("sleep 1")]     // a program in the foreground: the shell waits for it
    [InlineData("gctest 16")]   // a process command: busy collecting with interrupts off
    [InlineData("true")]        // nothing to wait for: the paste races the echo
    public async Task A_pasted_5000_character_line_keeps_its_Enter_and_the_next_command(string busy)
    {
        QemuMachine m = await BootAsync();
        foreach (string c in new[] { "echo warm", "help", "dmesg", "ps" }) await m.RunAsync(c);
        for (int i = 0; i < 4; i++)
        {
            int start = m.Position;
            await m.Send($"{busy}\n" + new string((char)('a' + i), 5000) + "\n" + $"echo marker-{i}\n");
            await m.WaitFor($"\nmarker-{i}\r\n", TimeSpan.FromSeconds(60));
            await m.WaitForIdlePrompt(TimeSpan.FromSeconds(15));
            string seen = m.SerialSince(start);
            Assert.Equal(1, CountOf(seen, "sh: line too long"));
            Assert.DoesNotContain("dropped", seen);
        }
        Assert.Equal("still here", await m.RunAsync("echo still here"));
    }

    // Lines sent back to back, faster than they are echoed, all run in order.
    [Fact]
    public async Task A_burst_of_commands_runs_every_one()
    {
        QemuMachine m = await BootAsync();
        var burst = new System.Text.StringBuilder();
        for (int i = 0; i < 300; i++) burst.Append($"echo line-{i:D3}-{new string('z', 20)}\n");
        int start = m.Position;
        await m.Send(burst.ToString());
        await m.WaitFor("\nline-299-", TimeSpan.FromSeconds(60));
        await m.WaitForIdlePrompt(TimeSpan.FromSeconds(15));
        string[] outputs = Lines(m.SerialSince(start)).Where(l => l.StartsWith("line-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"line-{i:D3}-{new string('z', 20)}"), outputs);
    }

    private static int CountOf(string text, string what)
    {
        int n = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
