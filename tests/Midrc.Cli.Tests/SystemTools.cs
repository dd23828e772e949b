using System.Diagnostics;
using System.Globalization;

namespace Midrc.Cli.Tests;

/// <summary>Named pipes for tests of folders that hold one (.NET has no call that makes one).</summary>
internal static class Fifo
{
    public static Task CreateAsync(string path) => Tools.RunAsync("mkfifo", path);
}

/// <summary>Signals a person sends from the terminal.</summary>
internal static class Signals
{
    /// <summary>What Ctrl-C sends.</summary>
    public static Task InterruptAsync(int processId) => Tools.RunAsync("kill", "-INT", processId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Whether any thread of the process has started a child process (Linux lists them per thread).</summary>
    public static bool HasChildren(int processId)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{processId}/task").Any(task => File.ReadAllText(Path.Combine(task, "children")).Trim().Length > 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A thread ended while it was read, or the process did.
            return false;
        }
    }
}

internal static class Tools
{
    public static async Task RunAsync(string tool, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(tool, args) { RedirectStandardError = true })!;
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{tool}: {await process.StandardError.ReadToEndAsync()}");
    }
}
