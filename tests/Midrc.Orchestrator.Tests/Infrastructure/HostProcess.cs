using System.Diagnostics;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>The orchestrator as an operator runs it: its own process, settings from environment variables.</summary>
public static class HostProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Starts the host and waits for it to exit (it is killed after <paramref name="timeout"/>).</summary>
    public static async Task<Outcome> RunUntilExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Midrc.Orchestrator.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The orchestrator did not exit within {timeout}: {await output}");
        }
        return new Outcome(process.ExitCode, await output, await error);
    }
}
