using System.Diagnostics;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>
/// The orchestrator or the <c>midrc</c> CLI as an operator runs them: their own process, in a working
/// directory of the test's, settings from environment variables.
/// </summary>
public static class HostProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error);

    /// <summary>Starts the orchestrator and waits for it to exit (it is killed after <paramref name="timeout"/>).</summary>
    public static Task<Outcome> RunUntilExitAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args) =>
        RunAsync("Midrc.Orchestrator.dll", workingDirectory, environment, timeout, args);

    /// <summary>Runs an assembly of the test output folder with <c>dotnet</c> and waits for it to exit.</summary>
    public static async Task<Outcome> RunAsync(string assembly, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
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
            throw new TimeoutException($"{assembly} did not exit within {timeout}: {await output}");
        }
        return new Outcome(process.ExitCode, await output, await error);
    }
}
