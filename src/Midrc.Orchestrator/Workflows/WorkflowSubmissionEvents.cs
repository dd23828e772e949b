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
        await runtime.FireAsync(new FireRequest(instance.Id, "start-qa", Actor.System, $"start-qa:{submissionId}"), cancellationToken);
        await requests.ReceivedAsync(submissionId, cancellationToken);
    }

    public async Task ResubmittedAsync(Guid submissionId, int round, CancellationToken cancellationToken)
    {
        if (await InstanceOfAsync(SubmissionWorkflow, submissionId, cancellationToken) is { } instance)
        {
            await runtime.FireAsync(new FireRequest(instance, "resubmit", Actor.System, $"resubmit:{submissionId}:{round}"), cancellationToken);
        }
    }

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
        await runtime.FireAsync(new FireRequest(onboarding.Id, trigger, Actor.System, $"test-transfer:{submissionId}"), cancellationToken);
    }

    private Task<Guid?> InstanceOfAsync(string definition, Guid subjectId, CancellationToken cancellationToken) =>
        db.WorkflowInstances.AsNoTracking().Where(i => i.DefinitionId == definition && i.SubjectId == subjectId)
            .Select(i => (Guid?)i.Id).SingleOrDefaultAsync(cancellationToken);
}
