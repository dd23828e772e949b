using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Keeps a subject's own status (a site's stage, a request's, a submission's or a release's status) in step with its
/// workflow, in the transaction of the transition, so pages and queries that read the status never disagree with the journal.
/// </summary>
public interface ISubjectStatus
{
    /// <summary>The definition's <c>subject</c> this projection serves (<c>site</c>, <c>solicitation</c>, ...).</summary>
    string SubjectType { get; }

    /// <summary>
    /// Sets the subject's status for <paramref name="state"/> (given with its ancestors, innermost first). A subject that
    /// is not a row (benchmarks and runtime tests drive workflows for bare ids) has no status to keep.
    /// </summary>
    Task ApplyAsync(Guid subjectId, IReadOnlyList<string> state, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>A projection by table: the first of the state and its ancestors that the table names wins; others change nothing.</summary>
public abstract class SubjectStatus<TStatus>(IReadOnlyDictionary<string, TStatus> table) : ISubjectStatus
    where TStatus : struct, Enum
{
    public abstract string SubjectType { get; }

    public async Task ApplyAsync(Guid subjectId, IReadOnlyList<string> state, DateTimeOffset at, CancellationToken cancellationToken)
    {
        foreach (var id in state)
        {
            if (table.TryGetValue(id, out var status))
            {
                await SetAsync(subjectId, status, at, cancellationToken);
                return;
            }
        }
    }

    protected abstract Task SetAsync(Guid subjectId, TStatus status, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Changes the subject when it exists.</summary>
    protected static async Task UpdateAsync<T>(Task<T?> subject, Action<T> change)
        where T : class
    {
        if (await subject is { } found)
        {
            change(found);
        }
    }
}

/// <summary>site-onboarding → <see cref="Site.Stage"/> (and when it changed, for "time in stage").</summary>
public sealed class SiteStageProjection(MidrcDbContext db) : SubjectStatus<SiteStage>(new Dictionary<string, SiteStage>
{
    ["invited"] = SiteStage.Invited,
    ["onboarding"] = SiteStage.Onboarding,
    ["active"] = SiteStage.Active,
    ["withdrawn"] = SiteStage.Withdrawn,
})
{
    public override string SubjectType => "site";

    protected override async Task SetAsync(Guid subjectId, SiteStage status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Id == subjectId, cancellationToken);
        if (site is not null && site.Stage != status)
        {
            site.Stage = status;
            site.StageChangedAt = at;
        }
    }
}

/// <summary>data-solicitation → <see cref="Solicitation.Status"/>.</summary>
public sealed class SolicitationStatusProjection(MidrcDbContext db) : SubjectStatus<SolicitationStatus>(new Dictionary<string, SolicitationStatus>
{
    ["sent"] = SolicitationStatus.Sent,
    ["negotiating"] = SolicitationStatus.Negotiating,
    ["acknowledged"] = SolicitationStatus.Acknowledged,
    ["in-progress"] = SolicitationStatus.InProgress,
    ["fulfilled"] = SolicitationStatus.Fulfilled,
    ["closed"] = SolicitationStatus.Closed,
})
{
    public override string SubjectType => "solicitation";

    protected override Task SetAsync(Guid subjectId, SolicitationStatus status, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync(db.Solicitations.SingleOrDefaultAsync(s => s.Id == subjectId, cancellationToken), s => s.Status = status);
}

/// <summary>submission → <see cref="Submission.Status"/>.</summary>
public sealed class SubmissionStatusProjection(MidrcDbContext db) : SubjectStatus<SubmissionStatus>(new Dictionary<string, SubmissionStatus>
{
    ["received"] = SubmissionStatus.Received,
    ["qa-running"] = SubmissionStatus.QaRunning,
    ["resubmitted"] = SubmissionStatus.QaRunning,
    ["fix-loop"] = SubmissionStatus.AwaitingFixes,
    ["deid-verification"] = SubmissionStatus.DeidVerification,
    ["accepted"] = SubmissionStatus.Accepted,
    ["quarantined"] = SubmissionStatus.Quarantined,
})
{
    public override string SubjectType => "submission";

    /// <summary>An accepted submission's files leave quarantine in the same transaction (failed files were rejected when verified).</summary>
    protected override async Task SetAsync(Guid subjectId, SubmissionStatus status, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await UpdateAsync(db.Submissions.SingleOrDefaultAsync(s => s.Id == subjectId, cancellationToken), s => s.Status = status);
        if (status != SubmissionStatus.Accepted)
        {
            return;
        }
        var passed = db.DeidentificationReports.Where(r => r.Outcome == DeidentificationOutcome.Passed).Select(r => r.InstanceId);
        foreach (var instance in await db.Instances.Where(i => i.SubmissionId == subjectId && i.QuarantineState == QuarantineState.Quarantined && passed.Contains(i.Id)).ToListAsync(cancellationToken))
        {
            instance.QuarantineState = QuarantineState.Verified;
        }
    }
}

/// <summary>release → <see cref="Release.State"/>.</summary>
public sealed class ReleaseStateProjection(MidrcDbContext db) : SubjectStatus<ReleaseState>(new Dictionary<string, ReleaseState>
{
    ["open"] = ReleaseState.Open,
    ["on-hold"] = ReleaseState.Held,
    ["frozen"] = ReleaseState.Frozen,
    ["verifying"] = ReleaseState.Verifying,
    ["verified"] = ReleaseState.Verified,
    ["publishing"] = ReleaseState.Publishing,
    ["published"] = ReleaseState.Published,
    ["failed"] = ReleaseState.Failed,
})
{
    public override string SubjectType => "release";

    protected override Task SetAsync(Guid subjectId, ReleaseState status, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateAsync(db.Releases.SingleOrDefaultAsync(r => r.Id == subjectId, cancellationToken), r =>
        {
            r.State = status;
            if (status == ReleaseState.Frozen)
            {
                r.FrozenAt = at;
            }
            else if (status == ReleaseState.Open)
            {
                // Reopened: the next freeze collects and builds again from the start.
                r.BuildStep = ReleaseBuildStep.None;
                r.FrozenAt = null;
                r.FailureReason = null;
            }
        });
}
