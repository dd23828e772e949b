using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Midrc.Curation.Reports;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Moves a data request with the submissions that answer it: a batch received puts the request under review (in
/// progress), and each batch's verdict reports how many exams are accepted for the request so far, which fulfils it or
/// waits for more. An exam is a study with verified files in one of the request's accepted submissions.
/// </summary>
public sealed class RequestBatches(MidrcDbContext db, WorkflowRuntime runtime)
{
    /// <summary>The submission's batch has arrived; its checks are starting.</summary>
    public async Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        if (await RequestInstanceAsync(submissionId, cancellationToken) is { } request)
        {
            await runtime.FireAsync(new FireRequest(request.Instance, "batch-received", Actor.System, $"batch-received:{submissionId}"), cancellationToken);
        }
    }

    /// <summary>The submission's checks have a verdict; fires under keys derived from <paramref name="key"/>. Returns what it did.</summary>
    public async Task<string> ReviewedAsync(Guid submissionId, string key, CancellationToken cancellationToken)
    {
        if (await RequestInstanceAsync(submissionId, cancellationToken) is not { } request)
        {
            return "The submission answers no data request.";
        }

        // A batch that arrived while another was under review could not be received then; it is now, so its verdict counts.
        await runtime.FireAsync(new FireRequest(request.Instance, "batch-received", Actor.System, $"{key}:received"), cancellationToken);
        var accepted = await db.Instances
            .Where(i => i.Submission!.SolicitationId == request.Solicitation && i.Submission.Status == SubmissionStatus.Accepted && i.QuarantineState == QuarantineState.Verified)
            .Select(i => i.Series!.StudyId).Distinct().CountAsync(cancellationToken);
        var result = await runtime.FireAsync(new FireRequest(request.Instance, "batch-reviewed", Actor.System, $"{key}:reviewed")
        {
            Data = new Dictionary<string, string> { ["exams-accepted"] = InstanceData.Number(accepted) },
        }, cancellationToken);
        return $"{Plural.Count(accepted, "exam")} accepted for the data request; {result.Message}";
    }

    private async Task<(Guid Instance, Guid Solicitation)?> RequestInstanceAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var solicitation = await db.Submissions.AsNoTracking().Where(s => s.Id == submissionId).Select(s => s.SolicitationId).SingleOrDefaultAsync(cancellationToken);
        if (solicitation is not { } id)
        {
            return null;
        }
        var instance = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == DataRequests.SolicitationWorkflow && i.SubjectId == id).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(cancellationToken);
        return instance is { } found ? (found, id) : null;
    }
}

/// <summary><c>report-batch-to-request</c>: a submission's verdict is in; the data request it answers counts its accepted exams.</summary>
public sealed class ReportBatchToRequestJob(RequestBatches batches) : IWorkflowJob
{
    public string Name => "report-batch-to-request";

    public Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken) =>
        batches.ReviewedAsync(context.Instance.SubjectId, context.FollowUpKey, cancellationToken);
}
