using System.Globalization;
using CsvHelper;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Reports;

/// <summary>One rule's findings within one series (or among files without a known series).</summary>
/// <param name="StudyInstanceUid">The study, when known.</param>
/// <param name="SeriesInstanceUid">The series, when known.</param>
/// <param name="Findings">How many findings.</param>
/// <param name="Files">How many distinct files.</param>
/// <param name="ExampleFiles">A few of the files.</param>
/// <param name="ExampleMessage">One finding's message, as a sample.</param>
public sealed record SeriesGroup(string? StudyInstanceUid, string? SeriesInstanceUid, int Findings, int Files, IReadOnlyList<string> ExampleFiles, string ExampleMessage);

/// <summary>One rule's findings across the report, split by study and series.</summary>
/// <param name="Rule">The rule id.</param>
/// <param name="Severity">The most severe finding of the rule: <c>error</c> or <c>warning</c>.</param>
/// <param name="Hint">What the coordinator can do about it.</param>
/// <param name="Findings">How many findings.</param>
/// <param name="Files">How many distinct files.</param>
/// <param name="Series">The findings by study and series, largest first.</param>
public sealed record RuleGroup(string Rule, string Severity, string Hint, int Findings, int Files, IReadOnlyList<SeriesGroup> Series);

/// <summary>
/// The coordinator's view of a report: one entry per rule, then per study and series, with counts and a few
/// example files, instead of thousands of identical rows. Also writes findings and groups as CSV.
/// </summary>
public static class CoordinatorSummary
{
    /// <summary>Groups a report's findings by rule (errors first, then by size), then by study and series.</summary>
    /// <param name="report">The report.</param>
    /// <param name="attributesByFile">Index attributes per file, to place findings in their study and series; files not in it go under an unknown series.</param>
    /// <param name="examples">How many example files each group shows.</param>
    public static IReadOnlyList<RuleGroup> ByRule(VerificationReport report, IReadOnlyDictionary<string, IndexAttributes> attributesByFile, int examples = 3) =>
    [
        .. report.Findings
            .GroupBy(f => f.Rule, StringComparer.Ordinal)
            .Select(rule => new RuleGroup(
                rule.Key,
                VerificationReport.SeverityName(rule.Max(f => f.Severity)),
                rule.First().Hint,
                rule.Count(),
                rule.Select(f => f.File).Distinct(StringComparer.Ordinal).Count(),
                [
                    .. rule.GroupBy(f => attributesByFile.GetValueOrDefault(f.File) is { } a ? (a.StudyInstanceUid, a.SeriesInstanceUid) : (null, null))
                        .Select(series => new SeriesGroup(
                            series.Key.StudyInstanceUid,
                            series.Key.SeriesInstanceUid,
                            series.Count(),
                            series.Select(f => f.File).Distinct(StringComparer.Ordinal).Count(),
                            [.. series.Select(f => f.File).Distinct(StringComparer.Ordinal).Take(examples)],
                            series.First().Message))
                        .OrderByDescending(s => s.Findings),
                ]))
            .OrderByDescending(g => g.Severity == "error")
            .ThenByDescending(g => g.Findings)
            .ThenBy(g => g.Rule, StringComparer.Ordinal),
    ];

    /// <summary>Writes every finding as CSV: file, rule, severity, tag, path, keyword, message, hint.</summary>
    public static void WriteFindingsCsv(VerificationReport report, TextWriter writer)
    {
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        WriteRow(csv, "file", "rule", "severity", "tag", "path", "keyword", "message", "hint");
        foreach (var f in report.Findings)
        {
            WriteRow(csv, f.File, f.Rule, VerificationReport.SeverityName(f.Severity), f.Tag, f.Path, f.Keyword, f.Message, f.Hint);
        }
    }

    /// <summary>Writes the grouped view as CSV, one row per rule and series.</summary>
    public static void WriteGroupsCsv(IEnumerable<RuleGroup> groups, TextWriter writer)
    {
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        WriteRow(csv, "rule", "severity", "study_instance_uid", "series_instance_uid", "findings", "files", "example_files", "example_message", "hint");
        foreach (var g in groups)
        {
            foreach (var s in g.Series)
            {
                WriteRow(csv, g.Rule, g.Severity, s.StudyInstanceUid ?? "", s.SeriesInstanceUid ?? "",
                    s.Findings.ToString(CultureInfo.InvariantCulture), s.Files.ToString(CultureInfo.InvariantCulture),
                    string.Join(" | ", s.ExampleFiles), s.ExampleMessage, g.Hint);
            }
        }
    }

    private static void WriteRow(CsvWriter csv, params string[] fields)
    {
        foreach (var field in fields)
        {
            csv.WriteField(field);
        }
        csv.NextRecord();
    }
}
