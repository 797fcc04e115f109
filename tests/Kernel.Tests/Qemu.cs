// One QEMU machine running the kernel, its serial console on QEMU's stdin/stdout.
//
// The serial output is read continuously on a background task into a buffer (bytes as Latin-1
// chars, so 0x80..0xFF survive); a read cursor walks through it expect-style: WaitFor/WaitForPrompt
// consume up to the end of what they found, RunAsync consumes a command's echo, output and the next
// prompt. Every wait has a timeout whose exception carries the last ~2 KB of serial output, and a
// wait fails at once (not at its timeout) when QEMU exits. QEMU is always killed (process tree) on
// dispose, and its disk images are deleted. At most MaxMachines machines run at once across the
// whole test run (xunit's thread limit does not bound async tests), so TCG timing stays sane on a
// 2-core machine. The machine is QEMU's `pc` (i440FX + PIIX), pinned.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Kernel.Tests;

public enum BootMode
{
    Iso,     // -cdrom iso/kernel.iso through SeaBIOS and GRUB (Multiboot2)
    Kernel,  // -kernel artifacts/kernel.elf (QEMU's Multiboot1 loader)
    Uefi,    // -bios OVMF.fd -cdrom iso/kernel.iso (about 4 s of firmware under TCG)
}

public enum DiskBus { Ide, Virtio }

// A disk for the machine: a sparse temporary file of SizeBytes, its start filled with Content (if
// any), deleted when the machine is disposed. IDE disks take the positions QEMU offers in order
// (primary master, primary slave, secondary master, secondary slave), skipping the secondary master
// that holds the boot CD unless booting with -kernel; virtio disks take PCI slots in order.
public sealed record QemuDisk(DiskBus Bus, long SizeBytes, byte[]? Content = null);

public sealed record QemuOptions
{
    public int MemoryMiB { get; init; } = 512;
    public BootMode Mode { get; init; } = BootMode.Iso;
    public IReadOnlyList<string> ExtraArgs { get; init; } = [];
    public IReadOnlyList<QemuDisk> Disks { get; init; } = [];
    // Start to first prompt; null: 30 s (BIOS, -kernel) or 60 s (UEFI).
    public TimeSpan? BootTimeout { get; init; }
    // The collector's debug mode (off in the shipped image), typed at the first prompt by the
    // boot helpers (BootAsync); false leaves the machine as shipped.
    public bool GcDebug { get; init; } = true;

    public TimeSpan EffectiveBootTimeout =>
        BootTimeout ?? (Mode == BootMode.Uefi ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(30));
}

public class QemuException(string message) : Exception(message);
public sealed class QemuTimeoutException(string message) : TimeoutException(message);
public sealed class QemuExitedException(string message, int? exitCode) : QemuException(message)
{
    public int? ExitCode { get; } = exitCode;
}

public sealed class QemuMachine : IAsyncDisposable
{
    // The shell prompt `<cwd> # `, at the start of the output, of a line, or right after an escape
    // sequence (`clear`). The lookbehind keeps the echo of a typed "/ # " from counting.
    public static readonly Regex Prompt = new(@"(?<=^|\n|\x1b\[[0-9;?]*[A-Za-z])/[^\s#]* # ", RegexOptions.Compiled);
    private static readonly Regex PromptAtEnd = new(Prompt + @"\z", RegexOptions.Compiled);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    public static readonly int MaxMachines =
        int.TryParse(Environment.GetEnvironmentVariable("KERNEL_TESTS_MAX_QEMU"), out int n) && n > 0 ? n : 2;

    private const int LookBehind = 64;   // chars before the cursor a regex may look at
    private const int TailChars = 2048;  // serial output quoted in failure messages

    private static readonly SemaphoreSlim s_slots = new(MaxMachines, MaxMachines);
    private static readonly ConcurrentDictionary<QemuMachine, byte> s_live = new();

    static QemuMachine()
    {
        // A test host that dies (or is stopped) must not leave QEMUs behind.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (QemuMachine m in s_live.Keys)
            {
                m.Kill();
                DeleteDiskFiles(m.DiskFiles);
            }
        };
    }

    private readonly Process _process;
    private readonly Stopwatch _clock;
    private readonly StringBuilder _serial = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _lock = new();
    private TaskCompletionSource _changed = NewSignal();
    private readonly Task _stdoutPump;
    private readonly Task _stderrPump;
    private bool _eof;
    private int _cursor;
    private bool _atPrompt;
    private TimeSpan? _bootTime;
    private TimeSpan _lastOutput;  // clock time of the last serial chunk
    private int _disposing;  // DisposeAsync has begun
    private int _disposed;   // the Process object is gone

    public QemuOptions Options { get; }
    public IReadOnlyList<string> Arguments { get; }
    // The image file of Options.Disks[i] (for the host to read what the kernel wrote).
    public IReadOnlyList<string> DiskFiles { get; }

    // Time from QEMU's start to the first prompt on serial (null until it appeared); for benchmarks.
    public TimeSpan? BootTime { get { lock (_lock) return _bootTime; } }

    // Everything QEMU wrote to serial so far, raw (CR LF line ends, escape sequences, Latin-1).
    public string Serial { get { lock (_lock) return _serial.ToString(); } }
    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }
    // Serial output from `from` (a Position) to now, with CRs removed.
    public string SerialSince(int from) { lock (_lock) return _serial.ToString(from, _serial.Length - from).Replace("\r", ""); }
    // The read cursor: the serial output before it has been consumed by the waits.
    public int Position { get { lock (_lock) return _cursor; } }

    public bool HasExited => Volatile.Read(ref _disposed) != 0 || _process.HasExited;
    // QEMU's exit status; null while it runs, and after dispose if it had to be killed.
    public int? ExitCode => Volatile.Read(ref _disposed) != 0 ? _exitCodeBeforeKill : _process.HasExited ? _process.ExitCode : null;
    private int? _exitCodeBeforeKill;

    private QemuMachine(QemuOptions options, IReadOnlyList<string> arguments, IReadOnlyList<string> diskFiles)
    {
        Options = options;
        Arguments = arguments;
        DiskFiles = diskFiles;
        var psi = new ProcessStartInfo(KernelImage.QemuExecutable)
        {
            WorkingDirectory = KernelImage.RepoRoot,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments) psi.ArgumentList.Add(a);
        _process = new Process { StartInfo = psi };
        _clock = Stopwatch.StartNew();
        _process.Start();
        s_live.TryAdd(this, 0);
        _stdoutPump = Task.Run(PumpStdoutAsync);
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public static IReadOnlyList<string> BuildArguments(QemuOptions o) => BuildArguments(o, []);

    // The `pc` machine is pinned: the disk drivers expect its PIIX IDE and its PCI interrupt routing.
    public static IReadOnlyList<string> BuildArguments(QemuOptions o, IReadOnlyList<string> diskFiles)
    {
        var args = new List<string> { "-machine", "pc", "-m", $"{o.MemoryMiB}M" };
        switch (o.Mode)
        {
            case BootMode.Iso: args.AddRange(["-cdrom", KernelImage.IsoPath]); break;
            case BootMode.Kernel: args.AddRange(["-kernel", KernelImage.ElfPath]); break;
            case BootMode.Uefi: args.AddRange(["-bios", KernelImage.OvmfPath, "-cdrom", KernelImage.IsoPath]); break;
        }
        args.AddRange(["-serial", "stdio", "-display", "none", "-monitor", "none", "-no-reboot",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        int ide = 0;
        for (int i = 0; i < o.Disks.Count && i < diskFiles.Count; i++)
        {
            if (o.Disks[i].Bus == DiskBus.Virtio)
            {
                args.AddRange(["-drive", $"file={diskFiles[i]},format=raw,if=virtio"]);
                continue;
            }
            if (ide == 2 && o.Mode != BootMode.Kernel) ide++;   // the CD's place
            if (ide > 3) throw new ArgumentException("more IDE disks than QEMU's pc machine has positions for");
            args.AddRange(["-drive", $"file={diskFiles[i]},format=raw,if=ide,index={ide}"]);
            ide++;
        }
        args.AddRange(o.ExtraArgs);
        return args;
    }

    // Sparse image files for the options' disks, in a fresh temporary directory.
    private static IReadOnlyList<string> CreateDiskFiles(QemuOptions o)
    {
        if (o.Disks.Count == 0) return [];
        string dir = Path.Combine(Path.GetTempPath(), "kernel-disks-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        for (int i = 0; i < o.Disks.Count; i++)
        {
            string file = Path.Combine(dir, $"disk{i}.img");
            using (var f = new FileStream(file, FileMode.CreateNew, FileAccess.Write))
            {
                f.SetLength(o.Disks[i].SizeBytes);
                if (o.Disks[i].Content is { } content) f.Write(content);
            }
            files.Add(file);
        }
        return files;
    }

    private static void DeleteDiskFiles(IReadOnlyList<string> files)
    {
        if (files.Count == 0) return;
        try { Directory.Delete(Path.GetDirectoryName(files[0])!, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    // Builds the kernel (once per run) and starts QEMU; does not wait for anything.
    public static async Task<QemuMachine> StartAsync(QemuOptions? options = null)
    {
        options ??= new QemuOptions();
        await KernelImage.EnsureBuiltAsync(options.Mode).ConfigureAwait(false);
        if (!await s_slots.WaitAsync(TimeSpan.FromMinutes(15)).ConfigureAwait(false))
            throw new QemuException($"no QEMU slot became free in 15 minutes ({MaxMachines} machines at once): is a machine not disposed?");
        IReadOnlyList<string> disks = [];
        try
        {
            disks = CreateDiskFiles(options);
            return new QemuMachine(options, BuildArguments(options, disks), disks);
        }
        catch
        {
            DeleteDiskFiles(disks);
            s_slots.Release();
            throw;
        }
    }

    // StartAsync, then waits for the first prompt (options' boot timeout) and prepares the
    // machine for tests (PrepareForTestsAsync).
    public static async Task<QemuMachine> BootAsync(QemuOptions? options = null)
    {
        QemuMachine m = await StartAsync(options).ConfigureAwait(false);
        try
        {
            await m.WaitForPrompt(m.Options.EffectiveBootTimeout).ConfigureAwait(false);
            await m.PrepareForTestsAsync().ConfigureAwait(false);
            return m;
        }
        catch
        {
            await m.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // At the first prompt: what tests run with and the shipped image does not — the collector's
    // debug mode (freed memory poisoned, the whole heap verified after every collection), so every
    // test also checks that nothing in use was collected. Ends at a prompt.
    public async Task PrepareForTestsAsync()
    {
        if (!Options.GcDebug) return;
        string reply = await RunAsync("gc debug on").ConfigureAwait(false);
        if (!reply.Contains("gc: debug on", StringComparison.Ordinal))
            throw new QemuException($"`gc debug on` answered \"{Escape(reply)}\".\n{Diagnostics()}");
    }

    // ---- waiting ------------------------------------------------------------------------------

    // Waits for text after the cursor; returns the serial output from the cursor through the
    // match (raw) and moves the cursor past it.
    public async Task<string> WaitFor(string text, TimeSpan? timeout = null)
    {
        string consumed = "";
        await WaitCore($"\"{Escape(text)}\"", timeout ?? DefaultTimeout, (window, start) =>
        {
            int i = window.IndexOf(text, start, StringComparison.Ordinal);
            if (i < 0) return -1;
            consumed = window.Substring(start, i + text.Length - start);
            return i + text.Length;
        }).ConfigureAwait(false);
        return consumed;
    }

    // Waits for a match after the cursor (the regex may look up to 64 chars behind it); moves the
    // cursor past the match.
    public async Task<Match> WaitFor(Regex regex, TimeSpan? timeout = null)
    {
        Match? found = null;
        await WaitCore($"/{regex}/", timeout ?? DefaultTimeout, (window, start) =>
        {
            Match m = regex.Match(window, start);
            if (!m.Success) return -1;
            found = m;
            return m.Index + m.Length;
        }).ConfigureAwait(false);
        return found!;
    }

    // Waits for the next prompt; returns the output before it (raw) and moves the cursor past it.
    public async Task<string> WaitForPrompt(TimeSpan? timeout = null)
    {
        string before = "";
        await WaitCore("the shell prompt", timeout ?? DefaultTimeout, (window, start) =>
        {
            Match m = Prompt.Match(window, start);
            if (!m.Success) return -1;
            before = window.Substring(start, m.Index - start);
            return m.Index + m.Length;
        }).ConfigureAwait(false);
        _atPrompt = true;
        return before;
    }

    // Waits until the shell is idle: the serial output ends with a prompt that starts after the
    // cursor (so a new one, after the last input) and nothing more has
    // arrived for `quiet` (default 50 ms). Consumes all output; for throttling noisy input, where
    // one line sent may yield several prompts.
    public async Task WaitForIdlePrompt(TimeSpan? timeout = null, TimeSpan? quiet = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        TimeSpan calm = quiet ?? TimeSpan.FromMilliseconds(50);
        var deadline = _clock.Elapsed + limit;
        while (true)
        {
            Task changed;
            bool eof;
            TimeSpan wait;
            lock (_lock)
            {
                int windowStart = Math.Max(0, _serial.Length - 2 * LookBehind);
                string window = _serial.ToString(windowStart, _serial.Length - windowStart);
                Match m = PromptAtEnd.Match(window);
                TimeSpan sinceOutput = _clock.Elapsed - _lastOutput;
                if (m.Success && windowStart + m.Index >= _cursor && sinceOutput >= calm)
                {
                    _cursor = _serial.Length;
                    _atPrompt = true;
                    return;
                }
                changed = _changed.Task;
                eof = _eof;
                wait = m.Success ? calm - sinceOutput : TimeSpan.MaxValue;
            }
            if (eof)
            {
                int? code = await ExitCodeAfterEofAsync().ConfigureAwait(false);
                throw new QemuExitedException(
                    $"QEMU exited (status {Describe(code)}) while waiting for the shell to be idle at a prompt.\n{Diagnostics()}", code);
            }
            TimeSpan left = deadline - _clock.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new QemuTimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for the shell to be idle at a prompt.\n{Diagnostics()}");
            if (wait > left) wait = left;
            if (wait < TimeSpan.FromMilliseconds(1)) wait = TimeSpan.FromMilliseconds(1);
            await Task.WhenAny(changed, Task.Delay(wait)).ConfigureAwait(false);
        }
    }

    // find(window, start) searches window from index start (the cursor; window may begin up to
    // LookBehind chars earlier) and returns the index just past what it found, or -1.
    private async Task WaitCore(string what, TimeSpan timeout, Func<string, int, int> find)
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            Task changed;
            bool eof;
            lock (_lock)
            {
                int windowStart = Math.Max(0, _cursor - LookBehind);
                string window = _serial.ToString(windowStart, _serial.Length - windowStart);
                int end = find(window, _cursor - windowStart);
                if (end >= 0)
                {
                    _cursor = windowStart + end;
                    return;
                }
                changed = _changed.Task;
                eof = _eof;
            }
            if (eof)
            {
                int? code = await ExitCodeAfterEofAsync().ConfigureAwait(false);
                throw new QemuExitedException(
                    $"QEMU exited (status {Describe(code)}) while waiting for {what}.\n{Diagnostics()}", code);
            }
            TimeSpan left = deadline - _clock.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new QemuTimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}.\n{Diagnostics()}");
            await Task.WhenAny(changed, Task.Delay(left)).ConfigureAwait(false);
        }
    }

    // ---- input ---------------------------------------------------------------------------------

    // Sends raw bytes (each char must be 0x00..0xFF) to the serial port, control chars included.
    public async Task Send(string raw)
    {
        byte[] bytes = new byte[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] > 0xFF) throw new ArgumentException($"char U+{(int)raw[i]:X4} at {i} is not a byte", nameof(raw));
            bytes[i] = (byte)raw[i];
        }
        await Send(bytes).ConfigureAwait(false);
    }

    public async Task Send(byte[] bytes)
    {
        _atPrompt = false;
        if (_process.HasExited)
            throw new QemuExitedException($"cannot send input: QEMU has exited (status {_process.ExitCode}).\n{Diagnostics()}", _process.ExitCode);
        try
        {
            Stream stdin = _process.StandardInput.BaseStream;
            await stdin.WriteAsync(bytes).ConfigureAwait(false);
            await stdin.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new QemuExitedException($"cannot send input ({e.Message}): QEMU has probably exited.\n{Diagnostics()}", ExitCode);
        }
    }

    // Runs one command line (it may contain control chars; "\n" is appended): waits for the prompt
    // first if the last wait did not end on one, sends the line, skips its echo (everything up to
    // the first line feed) and returns the output up to the next prompt, CRs removed and the final
    // line feed dropped. The cursor ends after that prompt.
    public async Task<string> RunAsync(string command, TimeSpan? timeout = null)
    {
        TimeSpan total = timeout ?? DefaultTimeout;
        var deadline = _clock.Elapsed + total;
        TimeSpan Left() => deadline - _clock.Elapsed is var t && t > TimeSpan.Zero ? t : TimeSpan.Zero;
        if (!_atPrompt) await WaitForPrompt(Left()).ConfigureAwait(false);
        await Send(command + "\n").ConfigureAwait(false);
        await WaitFor("\n", Left()).ConfigureAwait(false);  // the echo of the line, ended by Enter's CR LF
        string output = (await WaitForPrompt(Left()).ConfigureAwait(false)).Replace("\r", "");
        return output.EndsWith('\n') ? output[..^1] : output;
    }

    // Waits for QEMU to exit and returns its exit status; the serial output is complete afterwards.
    public async Task<int> WaitForExit(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            string message = $"Timed out after {timeout.TotalSeconds:0.#} s waiting for QEMU to exit.\n{Diagnostics()}";
            Kill();
            throw new QemuTimeoutException(message);
        }
        await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        return _process.ExitCode;
    }

    // ---- diagnostics -----------------------------------------------------------------------------

    // The last `chars` of serial output with control bytes made visible (CRs dropped).
    public string Tail(int chars = TailChars)
    {
        string s;
        lock (_lock) s = _serial.ToString(Math.Max(0, _serial.Length - chars), Math.Min(chars, _serial.Length));
        return Escape(s.Replace("\r", ""), keepNewlines: true);
    }

    public string Diagnostics()
    {
        string state = _process.HasExited ? $"exited with status {_process.ExitCode}" : "running";
        int length, cursor;
        lock (_lock) { length = _serial.Length; cursor = _cursor; }
        string stderr = Stderr;
        if (stderr.Length > 1024) stderr = stderr[^1024..];
        return $"QEMU {state}, {_clock.Elapsed.TotalSeconds:0.0} s since start; {length} serial chars, cursor at {cursor}.\n" +
               $"qemu-system-x86_64 {string.Join(' ', Arguments)}\n" +
               $"--- serial output (last {TailChars} chars, control bytes escaped) ---\n{Tail()}\n--- end of serial output ---" +
               (stderr.Length > 0 ? $"\n--- QEMU stderr ---\n{stderr.TrimEnd()}" : "");
    }

    public static string Escape(string s, bool keepNewlines = false)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (c == '\n' && keepNewlines) sb.Append('\n');
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else if (c == '\x1b') sb.Append("\\e");
            else if (c < 0x20 || c >= 0x7f) sb.Append($"\\x{(int)c:x2}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static string Describe(int? code) => code?.ToString() ?? "unknown";

    // ---- pumps ---------------------------------------------------------------------------------

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task PumpStdoutAsync()
    {
        Stream stdout = _process.StandardOutput.BaseStream;
        byte[] buffer = new byte[8192];
        try
        {
            while (true)
            {
                int n = await stdout.ReadAsync(buffer).ConfigureAwait(false);
                if (n <= 0) break;
                TimeSpan now = _clock.Elapsed;
                string chunk = Encoding.Latin1.GetString(buffer, 0, n);
                TaskCompletionSource signal;
                lock (_lock)
                {
                    int before = _serial.Length;
                    _serial.Append(chunk);
                    _lastOutput = now;
                    if (_bootTime is null)
                    {
                        // A prompt may straddle two reads: start a little before the new chunk.
                        int searchStart = Math.Max(0, before - 32);
                        int from = Math.Max(0, searchStart - LookBehind);
                        string window = _serial.ToString(from, _serial.Length - from);
                        if (Prompt.Match(window, searchStart - from).Success)
                            _bootTime = now;
                    }
                    signal = _changed;
                    _changed = NewSignal();
                }
                signal.TrySetResult();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            TaskCompletionSource signal;
            lock (_lock)
            {
                _eof = true;
                signal = _changed;
                _changed = NewSignal();
            }
            signal.TrySetResult();
        }
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            StreamReader reader = _process.StandardError;
            char[] buffer = new char[4096];
            while (true)
            {
                int n = await reader.ReadAsync(buffer).ConfigureAwait(false);
                if (n <= 0) break;
                lock (_stderr) _stderr.Append(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task<int?> ExitCodeAfterEofAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;  // stdout closed but the process lingers
        }
    }

    // ---- teardown ------------------------------------------------------------------------------

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0) return;
        try
        {
            _exitCodeBeforeKill = _process.HasExited ? _process.ExitCode : null;
            Kill();
            using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
            await Task.WhenAny(Task.WhenAll(_stdoutPump, _stderrPump), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
            Volatile.Write(ref _disposed, 1);
            _process.Dispose();
        }
        finally
        {
            DeleteDiskFiles(DiskFiles);
            s_live.TryRemove(this, out _);
            s_slots.Release();
        }
    }
}
