using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Moves the workflows when a submission is indexed. An active site's submission starts its <c>submission</c> workflow
/// and QA, and puts the data request it answers under review; a site still onboarding has sent its test transfer, which
/// its onboarding workflow checks. Every trigger is
/// fired under a key derived from the submission (and round), so a retried job makes one transition. The demo
/// program's seeded submissions start nothing.
/// </summary>
public sealed class WorkflowSubmissionEvents(MidrcDbContext db, WorkflowRuntime runtime, RequestBatches requests) : ISubmissionEvents
{
    public const string SubmissionWorkflow = "submission";
    public const string OnboardingWorkflow = "site-onboarding";

    public async Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.AsNoTracking().Where(s => s.Id == submissionId)
            .Select(s => new { s.SiteId, s.Site!.Stage, s.Channel }).SingleAsync(cancellationToken);
        if (submission.Channel == SubmissionChannel.Demo)
        {
            // The demo program seeds its submissions' outcomes itself, as history; no workflow runs them.
            return;
        }
        if (submission.Stage != SiteStage.Active)
        {
            await TestTransferReceivedAsync(submissionId, submission.SiteId, cancellationToken);
            return;
        }
        var instance = await runtime.StartAsync(new StartRequest(SubmissionWorkflow, submissionId, submission.SiteId, Actor.System), cancellationToken);
        await runtime.FireAsync(new FireRequest(instance.Id, "start-qa", Actor.System, StartQaKey(submissionId)), cancellationToken);
        // A stop after start-qa needs no report again: the request counts a batch it missed when the batch's verdict comes.
        await requests.ReceivedAsync(submissionId, cancellationToken);
    }

    public async Task ResubmittedAsync(Guid submissionId, int round, CancellationToken cancellationToken)
    {
        if (await InstanceOfAsync(SubmissionWorkflow, submissionId, cancellationToken) is { } instance)
        {
            await runtime.FireAsync(new FireRequest(instance, "resubmit", Actor.System, ResubmitKey(submissionId, round)), cancellationToken);
        }
    }

    /// <summary>
    /// A round was reported when the journal holds the transition its report fires under its key. The demo's seeded
    /// submissions report nothing; a site's test transfer, indexed before the site became active, is its onboarding's
    /// business and never starts a submission workflow afterwards.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> UnreportedAsync(IReadOnlyCollection<Guid> submissionIds, CancellationToken cancellationToken)
    {
        var candidates = await db.Submissions.AsNoTracking()
            .Where(s => submissionIds.Contains(s.Id) && s.Channel != SubmissionChannel.Demo)
            .Select(s => new { s.Id, s.Round, s.CompletedAt, s.Site!.Stage, s.Site.StageChangedAt }).ToListAsync(cancellationToken);
        var due = candidates
            .Where(s => s.Round > 1 || s.Stage != SiteStage.Active || s.CompletedAt is not { } completed || completed >= s.StageChangedAt)
            .Select(s => (s.Id, Keys: s.Round == 1 ? new[] { StartQaKey(s.Id), TestTransferKey(s.Id) } : [ResubmitKey(s.Id, s.Round)]))
            .ToList();
        var keys = due.SelectMany(s => s.Keys).ToList();
        var fired = (await db.WorkflowJournal.AsNoTracking().Where(j => keys.Contains(j.IdempotencyKey)).Select(j => j.IdempotencyKey).ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);
        return [.. due.Where(s => !s.Keys.Any(fired.Contains)).Select(s => s.Id)];
    }

    private static string StartQaKey(Guid submissionId) => $"start-qa:{submissionId}";

    private static string ResubmitKey(Guid submissionId, int round) => $"resubmit:{submissionId}:{round}";

    private static string TestTransferKey(Guid submissionId) => $"test-transfer:{submissionId}";

    /// <summary>The onboarding workflow checks the latest submission of the site when it receives a test transfer (or a corrected one).</summary>
    private async Task TestTransferReceivedAsync(Guid submissionId, Guid siteId, CancellationToken cancellationToken)
    {
        var onboarding = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == OnboardingWorkflow && i.SubjectId == siteId).Select(i => new { i.Id, i.State }).SingleOrDefaultAsync(cancellationToken);
        if (onboarding is null)
        {
            return;
        }
        var trigger = onboarding.State == "test-transfer-needs-fixes" ? "resend-test-transfer" : "receive-test-transfer";
        await runtime.FireAsync(new FireRequest(onboarding.Id, trigger, Actor.System, TestTransferKey(submissionId)), cancellationToken);
    }

    private Task<Guid?> InstanceOfAsync(string definition, Guid subjectId, CancellationToken cancellationToken) =>
        db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == definition && i.SubjectId == subjectId)
            .Select(i => (Guid?)i.Id).SingleOrDefaultAsync(cancellationToken);
}
