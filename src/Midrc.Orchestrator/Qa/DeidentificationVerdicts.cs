using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Qa;

/// <summary>What de-identification verification concluded for a submission; <see cref="Passed"/> is null while a person must review.</summary>
public sealed record DeidentificationVerdict(int Files, int Failed, int NeedsReview, bool? Passed);

/// <summary>
/// One <see cref="DeidentificationReport"/> per current instance of a submission, from the file's <c>deid.</c> findings:
/// failed when any is an error, needs review when only the pixel-text flags (burned-in annotation, secondary capture,
/// screen save) were raised, passed otherwise. A failed file is rejected in the same transaction as its report, so it
/// never looks anything but quarantined. Safe to run twice: an instance's report is made once.
/// </summary>
public sealed class DeidentificationVerdicts(MidrcDbContext db, TimeProvider clock)
{
    /// <summary>The rules that ask a person to look at the pixels rather than fail the file.</summary>
    public static readonly IReadOnlySet<string> ReviewRules = new HashSet<string>(StringComparer.Ordinal)
    {
        "deid.burned-in-annotation",
        "deid.secondary-capture",
        "deid.screen-save",
    };

    private static readonly Lazy<CurationProfile> Profile = new(ProfileLoader.LoadDefault);

    /// <summary>True for a de-identification rule (which no waiver can excuse).</summary>
    public static bool IsDeidentification(string rule) => rule.StartsWith("deid.", StringComparison.Ordinal);

    /// <summary>Reports the instances that have none yet, then concludes from all of them.</summary>
    public async Task<DeidentificationVerdict> VerifyAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var instances = await db.Instances.Where(i => i.SubmissionId == submissionId && i.QuarantineState != QuarantineState.Superseded).ToListAsync(cancellationToken);
        var ids = instances.Select(i => i.Id).ToList();
        var reported = await db.DeidentificationReports.Where(r => ids.Contains(r.InstanceId)).Select(r => r.InstanceId).ToListAsync(cancellationToken);
        var missing = instances.Where(i => !reported.Contains(i.Id)).ToList();
        if (missing.Count > 0)
        {
            await ReportAsync(submissionId, missing, cancellationToken);
        }
        var outcomes = await db.DeidentificationReports.AsNoTracking().Where(r => ids.Contains(r.InstanceId)).Select(r => r.Outcome).ToListAsync(cancellationToken);
        var failed = outcomes.Count(o => o == DeidentificationOutcome.Failed);
        var review = outcomes.Count(o => o == DeidentificationOutcome.NeedsReview);
        bool? passed = failed > 0 ? false : review == 0 && ids.Count > 0 ? true : null;
        return new DeidentificationVerdict(ids.Count, failed, review, passed);
    }

    private async Task ReportAsync(Guid submissionId, List<Instance> instances, CancellationToken cancellationToken)
    {
        var ids = instances.Select(i => (Guid?)i.Id).ToList();
        var findings = await db.Findings.AsNoTracking()
            .Where(f => f.SubmissionId == submissionId && ids.Contains(f.InstanceId) && f.Rule.StartsWith("deid.") && f.Status != FindingStatus.Fixed)
            .Select(f => new { f.InstanceId, f.Rule, f.Severity }).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        foreach (var instance in instances)
        {
            var own = findings.Where(f => f.InstanceId == instance.Id).ToList();
            var outcome = own.Any(f => f.Severity == Severity.Error) ? DeidentificationOutcome.Failed
                : own.Any(f => ReviewRules.Contains(f.Rule)) ? DeidentificationOutcome.NeedsReview
                : DeidentificationOutcome.Passed;
            db.DeidentificationReports.Add(new DeidentificationReport
            {
                InstanceId = instance.Id,
                Outcome = outcome,
                Profile = Profile.Value.Label,
                ErrorCount = own.Count(f => f.Severity == Severity.Error),
                WarningCount = own.Count(f => f.Severity == Severity.Warning),
                CheckedAt = now,
            });
            if (outcome == DeidentificationOutcome.Failed)
            {
                instance.QuarantineState = QuarantineState.Rejected;
            }
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another run reported these instances a moment ago; its reports stand.
            db.ChangeTracker.Clear();
        }
    }
}
