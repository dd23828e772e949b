using System.Diagnostics;

namespace Midrc.Cli.Tests;

/// <summary>Named pipes for tests of folders that hold one (.NET has no call that makes one).</summary>
internal static class Fifo
{
    public static async Task CreateAsync(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        await mkfifo.WaitForExitAsync();
        mkfifo.ExitCode.ShouldBe(0, await mkfifo.StandardError.ReadToEndAsync());
    }
}
