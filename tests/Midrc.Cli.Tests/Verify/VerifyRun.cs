using System.Text.Json;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Cli.Tests.Verify;

/// <summary>One finding of the JSON report, as design.md fixes it.</summary>
internal sealed record ReportedFinding(string File, string Rule, string Severity, string Tag, string Path, string Keyword, string Message, string Hint);

/// <summary>The JSON report of <c>midrc verify</c>, read back field by field (so a renamed or missing key fails the test).</summary>
internal sealed record VerifyReport(int Files, int Passed, int Failed, int Unreadable, IReadOnlyList<ReportedFinding> Findings)
{
    public static VerifyReport Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        root.EnumerateObject().Select(p => p.Name).ShouldBe(["files", "passed", "failed", "unreadable", "findings"]);
        return new VerifyReport(
            root.GetProperty("files").GetInt32(),
            root.GetProperty("passed").GetInt32(),
            root.GetProperty("failed").GetInt32(),
            root.GetProperty("unreadable").GetInt32(),
            [.. root.GetProperty("findings").EnumerateArray().Select(f => new ReportedFinding(
                Text(f, "file"), Text(f, "rule"), Text(f, "severity"), Text(f, "tag"), Text(f, "path"), Text(f, "keyword"), Text(f, "message"), Text(f, "hint")))]);
    }

    private static string Text(JsonElement finding, string name) => finding.GetProperty(name).GetString()!;
}

/// <summary>Runs the real <c>midrc verify</c> process, as a site coordinator does.</summary>
internal static class VerifyRun
{
    public static Task<HostProcess.Outcome> RunAsync(string workingDirectory, params string[] args) =>
        HostProcess.RunAsync("midrc.dll", workingDirectory, new Dictionary<string, string>(), TimeSpan.FromMinutes(5), ["verify", .. args]);

    public static async Task<(int ExitCode, VerifyReport Report, string Error)> JsonAsync(string workingDirectory, params string[] args)
    {
        var outcome = await RunAsync(workingDirectory, [.. args, "--format", "json"]);
        return (outcome.ExitCode, VerifyReport.Parse(outcome.Output), outcome.Error);
    }
}
