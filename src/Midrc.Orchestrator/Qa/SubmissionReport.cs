using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Qa;

/// <summary>One rule's findings in one series (or among files and rows without a known series).</summary>
public sealed record ReportSeries(string StudyInstanceUid, string SeriesInstanceUid, int Findings, int Open, IReadOnlyList<string> ExampleFiles, string ExampleMessage);

/// <summary>One rule's findings in a submission: counts by status, the open ones' ids (to ask for a waiver), and by series.</summary>
public sealed record ReportRule(
    string Rule, string Severity, string Hint, string ExampleMessage, int Findings, int Open, int WaiverRequested, int Waived, int Fixed,
    bool Waivable, IReadOnlyList<Guid> OpenIds, IReadOnlyList<Guid> WaiverRequestedIds, string? WaiverRequest, IReadOnlyList<ReportSeries> Series);

/// <summary>A file's de-identification verdict, listed when a person must or did decide on it, or when it failed.</summary>
public sealed record ReportFile(Guid InstanceId, string File, string Outcome, IReadOnlyList<string> Flags, string? ReviewedBy, string? ReviewReason);

/// <summary>A submission's findings as people read them: grouped by rule, then study and series, with counts.</summary>
public sealed record SubmissionReport(
    Guid Id, Guid SiteId, string Site, string Status, int Round, DateTimeOffset StartedAt, int Files, int Verified, int Rejected, int Superseded,
    int OpenErrors, int OpenWarnings, string Profile, IReadOnlyList<ReportRule> Rules, IReadOnlyList<ReportFile> Deidentification);

/// <summary>Builds <see cref="SubmissionReport"/>s from the stored findings and verdicts, and writes them as CSV.</summary>
public sealed class SubmissionReports(MidrcDbContext db)
{
    private const int Examples = 3;

    public async Task<SubmissionReport> BuildAsync(Submission submission, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().Where(s => s.Id == submission.SiteId).Select(s => s.Code).SingleAsync(cancellationToken);
        var findings = await db.Findings.AsNoTracking().Where(f => f.SubmissionId == submission.Id).ToListAsync(cancellationToken);
        var states = await db.Instances.AsNoTracking().Where(i => i.SubmissionId == submission.Id)
            .GroupBy(i => i.QuarantineState).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        int Count(QuarantineState state) => states.SingleOrDefault(s => s.State == state)?.Count ?? 0;
        var verdicts = await db.DeidentificationReports.AsNoTracking()
            .Where(r => r.Instance!.SubmissionId == submission.Id
                && ((r.Instance.QuarantineState != QuarantineState.Superseded && r.Outcome != DeidentificationOutcome.Passed) || r.ReviewedBy != null))
            .Select(r => new { r.InstanceId, r.Instance!.OriginalName, r.Outcome, r.ReviewedBy, r.ReviewReason, r.Profile }).ToListAsync(cancellationToken);
        var profile = await db.DeidentificationReports.AsNoTracking().Where(r => r.Instance!.SubmissionId == submission.Id).Select(r => r.Profile).FirstOrDefaultAsync(cancellationToken);
        static bool IsOpen(QaFinding f) => ProgramProgress.OpenStatuses.Contains(f.Status);
        var rules = findings.GroupBy(f => f.Rule, StringComparer.Ordinal)
            .Select(rule =>
            {
                var open = rule.Where(IsOpen).ToList();
                var shown = open.Count > 0 ? open : rule.ToList();
                return new ReportRule(
                    rule.Key,
                    VerificationReport.SeverityName(rule.Max(f => f.Severity)),
                    rule.First().Hint,
                    shown[0].Message,
                    rule.Count(),
                    rule.Count(f => f.Status == FindingStatus.Open),
                    rule.Count(f => f.Status == FindingStatus.WaiverRequested),
                    rule.Count(f => f.Status == FindingStatus.Waived),
                    rule.Count(f => f.Status == FindingStatus.Fixed),
                    !DeidentificationVerdicts.IsDeidentification(rule.Key) && rule.Any(f => f.Severity == Severity.Error),
                    [.. rule.Where(f => f.Status == FindingStatus.Open && f.Severity == Severity.Error).Select(f => f.Id)],
                    [.. rule.Where(f => f.Status == FindingStatus.WaiverRequested).Select(f => f.Id)],
                    rule.FirstOrDefault(f => f.Status == FindingStatus.WaiverRequested)?.WaiverRequest,
                    [.. shown.GroupBy(f => (f.StudyInstanceUid, f.SeriesInstanceUid))
                        .Select(series => new ReportSeries(series.Key.StudyInstanceUid, series.Key.SeriesInstanceUid, series.Count(), series.Count(IsOpen),
                            [.. series.Select(f => f.File).Where(f => f.Length > 0).Distinct(StringComparer.Ordinal).Take(Examples)], series.First().Message))
                        .OrderByDescending(s => s.Findings)]);
            })
            .OrderByDescending(r => r.Open + r.WaiverRequested > 0).ThenByDescending(r => r.Severity == "error").ThenByDescending(r => r.Findings).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .ToList();
        var flags = findings.Where(f => f.InstanceId is not null && DeidentificationVerdicts.IsDeidentification(f.Rule) && f.Status != FindingStatus.Fixed)
            .GroupBy(f => f.InstanceId!.Value).ToDictionary(g => g.Key, g => g.Select(f => f.Message).ToList());
        return new SubmissionReport(
            submission.Id, submission.SiteId, site, submission.Status.ToString(), submission.Round, submission.StartedAt,
            states.Where(s => s.State != QuarantineState.Superseded).Sum(s => s.Count), Count(QuarantineState.Verified), Count(QuarantineState.Rejected), Count(QuarantineState.Superseded),
            findings.Count(f => IsOpen(f) && f.Severity == Severity.Error), findings.Count(f => IsOpen(f) && f.Severity == Severity.Warning), profile ?? "",
            rules,
            [.. verdicts.OrderBy(v => v.OriginalName, StringComparer.Ordinal).Select(v => new ReportFile(v.InstanceId, v.OriginalName, v.Outcome.ToString(),
                flags.GetValueOrDefault(v.InstanceId) ?? [], v.ReviewedBy, v.ReviewReason))]);
    }

    /// <summary>One row per rule and series, with counts by status, the hint and examples.</summary>
    public static void WriteCsv(SubmissionReport report, TextWriter writer)
    {
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture, leaveOpen: true);
        string[] header = ["rule", "severity", "study_instance_uid", "series_instance_uid", "findings", "open", "rule_open", "rule_waiver_requested", "rule_waived", "rule_fixed", "example_files", "example_message", "hint"];
        foreach (var field in header)
        {
            csv.WriteField(field);
        }
        csv.NextRecord();
        foreach (var rule in report.Rules)
        {
            foreach (var s in rule.Series)
            {
                object[] row = [rule.Rule, rule.Severity, s.StudyInstanceUid, s.SeriesInstanceUid, s.Findings, s.Open, rule.Open, rule.WaiverRequested, rule.Waived, rule.Fixed,
                    string.Join(" | ", s.ExampleFiles), s.ExampleMessage, rule.Hint];
                foreach (var field in row)
                {
                    csv.WriteField(Convert.ToString(field, CultureInfo.InvariantCulture));
                }
                csv.NextRecord();
            }
        }
    }
}
