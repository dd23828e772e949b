using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// What the intake tells the rest of the system. The workflow runtime implements it to start the <c>submission</c>
/// workflow; every implementation must be safe to call twice for one submission (jobs are at-least-once).
/// </summary>
public interface ISubmissionEvents
{
    /// <summary>The submission's files are durably stored and indexed, and its findings recorded.</summary>
    Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken);
}

/// <summary>Until the workflow runtime takes over: receipt is recorded in the audit trail, once.</summary>
public sealed class AuditedSubmissionEvents(MidrcDbContext db, AuditTrail audit) : ISubmissionEvents
{
    public const string ReceivedAction = "submission.received";

    public async Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var id = submissionId.ToString();
        if (await db.AuditEvents.AnyAsync(e => e.Action == ReceivedAction && e.EntityId == id, cancellationToken))
        {
            return;
        }
        var siteId = await db.Submissions.Where(s => s.Id == submissionId).Select(s => s.SiteId).SingleAsync(cancellationToken);
        audit.Record("system", ReceivedAction, nameof(Submission), id, siteId);
        await db.SaveChangesAsync(cancellationToken);
    }
}
