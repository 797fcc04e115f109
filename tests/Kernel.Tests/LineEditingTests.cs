// The line editor driven with raw control bytes over serial.
using Xunit.Abstractions;

namespace Kernel.Tests;

public sealed class LineEditingTests(ITestOutputHelper output) : KernelTest(output)
{
    // name -> (bytes typed before Enter, expected output)
    private static readonly Dictionary<string, (string Typed, string Expected)> s_cases = new()
    {
        ["DEL erases"] = ("echo abcX\u007fd", "abcd"),
        ["BS erases"] = ("echo ab\u0008c", "ac"),
        ["Ctrl-U kills to start"] = ("garbage\u0015echo ok", "ok"),
        ["left arrow inserts mid-line"] = ("echo ac\u001b[Db", "abc"),
    };

    [Theory]
    [InlineData("DEL erases")]
    [InlineData("BS erases")]
    [InlineData("Ctrl-U kills to start")]
    [InlineData("left arrow inserts mid-line")]
    public async Task Editing_keys_change_the_line(string name)
    {
        (string typed, string expected) = s_cases[name];
        QemuMachine m = await BootAsync();
        Assert.Equal(expected, await m.RunAsync(typed));
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_line()
    {
        QemuMachine m = await BootAsync();
        int start = m.Position;
        await m.Send("echo no\u0003");
        string cancelled = await m.WaitForPrompt();
        Assert.Contains("^C", cancelled);
        Assert.Equal("yes", await m.RunAsync("echo yes"));
        string[] lines = Lines(m.SerialSince(start));
        Assert.DoesNotContain("no", lines.Select(l => l.Trim()));
    }

    [Fact]
    public async Task Over_long_line_gives_one_error_and_one_prompt()
    {
        QemuMachine m = await BootAsync();
        await m.Send(new string('x', 2000) + "\n");
        string before = await m.WaitForPrompt(TimeSpan.FromSeconds(20));
        // Whatever else the line caused (a second message or prompt) shows up by now.
        await Task.Delay(TimeSpan.FromSeconds(1));
        string extra = m.SerialSince(m.Position);
        Assert.True(extra.Length == 0, $"output after the prompt that followed the long line: \"{QemuMachine.Escape(extra)}\"");
        // The echo is x's (plus any editing bytes); everything else is the error.
        string[] messages = Lines(before).Where(l => l.Trim().Trim('x', '\a', '\b', ' ').Length > 0).ToArray();
        Assert.True(messages.Length == 1, $"expected one error message, got {messages.Length}:\n{QemuMachine.Escape(string.Join('\n', messages), keepNewlines: true)}");
        Assert.DoesNotContain("not found", messages[0]);
        Assert.Equal("ok", await m.RunAsync("echo ok"));
    }
}
