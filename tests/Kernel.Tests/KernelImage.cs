// The kernel image under test: finds the repository, builds the ISO (and with it artifacts/kernel.elf)
// exactly once per test run through build.ps1, and makes every test fail with the build output
// when that build failed. Tests never skip: a missing QEMU or OVMF is a failure with a clear message.
//
// KERNEL_TESTS_NO_BUILD=1 uses the ISO and ELF already on disk (for a caller that has just built
// them, e.g. `build.ps1 test`); a missing image is then still a failure.
using System.Diagnostics;
using System.Text;

namespace Kernel.Tests;

public sealed class KernelBuildException(string message) : Exception(message);

public static class KernelImage
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);
    public const string OvmfPath = "/usr/share/ovmf/OVMF.fd";
    public const string QemuExecutable = "qemu-system-x86_64";

    private static readonly Lazy<string> s_root = new(FindRepoRoot);
    private static readonly Lazy<Task<BuildResult>> s_build = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string RepoRoot => s_root.Value;
    public static string IsoPath => Path.Combine(RepoRoot, "iso", "kernel.iso");
    public static string ElfPath => Path.Combine(RepoRoot, "artifacts", "kernel.elf");

    private sealed record BuildResult(bool Ok, string Log, TimeSpan Elapsed);

    // Builds once (the first caller pays; later callers get the cached result) and checks the
    // files a boot needs. Throws KernelBuildException with the build's output on failure.
    public static async Task EnsureBuiltAsync(BootMode mode)
    {
        BuildResult result = await s_build.Value.ConfigureAwait(false);
        if (!result.Ok)
            throw new KernelBuildException($"The kernel build failed ({result.Elapsed.TotalSeconds:0.0} s), so no test can boot it.\n{result.Log}");

        string image = mode == BootMode.Kernel ? ElfPath : IsoPath;
        if (!File.Exists(image))
            throw new KernelBuildException($"The build reported success but {image} does not exist.\n{result.Log}");
        if (FindOnPath(QemuExecutable) is null)
            throw new KernelBuildException(
                $"{QemuExecutable} was not found on PATH. build.ps1 is supposed to install it " +
                "(Debian package qemu-system-x86); install it with: apt-get install -y qemu-system-x86");
        if (mode == BootMode.Uefi && !File.Exists(OvmfPath))
            throw new KernelBuildException(
                $"{OvmfPath} does not exist. build.ps1 is supposed to install it (Debian package ovmf); " +
                "install it with: apt-get install -y ovmf");
    }

    public static string? FindOnPath(string executable)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null) return null;
        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kernel.sln")))
                return dir.FullName;
        throw new KernelBuildException($"No Kernel.sln found in {AppContext.BaseDirectory} or any directory above it.");
    }

    private static async Task<BuildResult> BuildAsync()
    {
        var sw = Stopwatch.StartNew();
        var log = new StringBuilder();
        try
        {
            if (Environment.GetEnvironmentVariable("KERNEL_TESTS_NO_BUILD") is "1" or "true")
            {
                log.AppendLine("KERNEL_TESTS_NO_BUILD is set: using the image on disk.");
                return new BuildResult(true, log.ToString(), sw.Elapsed);
            }
            string root = RepoRoot;
            var deadline = DateTime.UtcNow + BuildTimeout;
            int restore = await RunAsync(root, ["tool", "restore"], log, deadline).ConfigureAwait(false);
            if (restore != 0)
                return new BuildResult(false, $"`dotnet tool restore` exited with {restore}:\n{log}", sw.Elapsed);
            int build = await RunAsync(root, ["tool", "run", "pwsh", "-NoProfile", "-File", "build.ps1", "iso"], log, deadline).ConfigureAwait(false);
            if (build != 0)
                return new BuildResult(false, $"`dotnet tool run pwsh -NoProfile -File build.ps1 iso` exited with {build}:\n{log}", sw.Elapsed);
            return new BuildResult(true, log.ToString(), sw.Elapsed);
        }
        catch (Exception e)
        {
            return new BuildResult(false, $"{e.Message}\n{log}", sw.Elapsed);
        }
    }

    // Runs `dotnet ARGS` in root, appending its output to log; returns the exit code, or throws
    // on the deadline (after killing the whole process tree).
    private static async Task<int> RunAsync(string root, string[] args, StringBuilder log, DateTime deadline)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // The test host runs under `dotnet test`; its MSBuild variables would leak into the
        // nested `dotnet build` of the kernel and point it at the wrong SDK pieces.
        foreach (string key in psi.Environment.Keys.ToList())
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                psi.Environment.Remove(key);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        lock (log) log.AppendLine($"$ dotnet {string.Join(' ', args)}");
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(deadline - DateTime.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"`dotnet {string.Join(' ', args)}` did not finish within {BuildTimeout.TotalMinutes:0} minutes (killed).");
        }
        process.WaitForExit(); // drains the asynchronous output readers
        return process.ExitCode;
    }
}
