using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using static Midrc.Curation.Reports.Plural;

namespace Midrc.Cli.Verify;

/// <summary>
/// The coordinator's view of a verification: each rule once with its fix, then where it struck by study and series with
/// counts and a few example files, then the totals. Ten thousand identical findings read as one paragraph.
/// </summary>
internal static class TextReport
{
    private const int SeriesShown = 5;

    public static void Write(VerificationRun run, string target, TextWriter output)
    {
        var groups = CoordinatorSummary.ByRule(run.Report, run.AttributesByFile);
        output.WriteLine($"midrc verify: {Count(run.Report.Files, "file")} in {target}");
        foreach (var group in groups)
        {
            output.WriteLine();
            output.WriteLine($"{Label(group.Severity)} {group.Rule}: {Count(group.Findings, "finding")} in {Count(group.Files, "file")}");
            output.WriteLine($"  Fix: {group.Hint}");
            foreach (var series in group.Series.Take(SeriesShown))
            {
                var where = series.SeriesInstanceUid is null
                    ? series.StudyInstanceUid is null ? "not in a known series" : $"study {series.StudyInstanceUid}"
                    : $"study {series.StudyInstanceUid ?? "(none)"}, series {series.SeriesInstanceUid}";
                output.WriteLine($"  - {where}: {Count(series.Findings, "finding")} in {Count(series.Files, "file")}, e.g. {string.Join(", ", series.ExampleFiles)}");
                output.WriteLine($"      {series.ExampleMessage}");
            }
            if (group.Series.Count > SeriesShown)
            {
                var rest = group.Series.Skip(SeriesShown).ToList();
                output.WriteLine($"  - and {Count(rest.Count, "more series", "more series")} with {Count(rest.Sum(s => s.Findings), "finding")}");
            }
        }
        output.WriteLine();
        WriteTotals(run.Report, output);
    }

    /// <summary>One line per rule with its counts, then the totals: what <c>--out</c> prints next to the full report.</summary>
    public static void WriteShort(VerificationRun run, string reportPath, TextWriter output)
    {
        output.WriteLine($"Report written to {reportPath}");
        foreach (var group in CoordinatorSummary.ByRule(run.Report, run.AttributesByFile))
        {
            output.WriteLine($"{Label(group.Severity)} {group.Rule}: {Count(group.Findings, "finding")} in {Count(group.Files, "file")}");
        }
        WriteTotals(run.Report, output);
    }

    private static void WriteTotals(VerificationReport report, TextWriter output)
    {
        var errors = report.Findings.Count(f => f.Severity == Severity.Error);
        var warnings = report.Findings.Count - errors;
        output.WriteLine($"{Count(report.Files, "file")}: {Number(report.Passed)} passed, {Number(report.Failed)} failed, {Number(report.Unreadable)} unreadable; {Count(errors, "error")}, {Count(warnings, "warning")}.");
        output.WriteLine(report.HasErrors
            ? "Result: FAILED. Fix the errors above before sending these files."
            : "Result: PASSED. No error: these files can be sent.");
    }

    private static string Label(string severity) => severity == "error" ? "ERROR  " : "WARNING";
}
