using Hangfire;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Notifications;

/// <summary>What came of asking to resend a message.</summary>
public enum ResendOutcome
{
    Resent,
    NotFound,

    /// <summary>Only failed messages are resent; this one is pending, sent or held for a digest.</summary>
    NotFailed,

    /// <summary>Someone changed the message at the same moment.</summary>
    Conflict,
}

/// <summary>The outcome, the message as it now is, and a sentence for the program manager.</summary>
public sealed record ResendResult(ResendOutcome Outcome, OutboxMessage? Message, string Explanation);

/// <summary>
/// Sends a failed message again from its first attempt, recorded in the audit trail with the reason it had failed.
/// The API and the outbox page both resend through this.
/// </summary>
public sealed class OutboxResend(MidrcDbContext db, AuditTrail audit, TimeProvider clock, IBackgroundJobClient jobs)
{
    public async Task<ResendResult> ResendAsync(Guid id, string actor, CancellationToken cancellationToken)
    {
        var message = await db.Outbox.FindAsync([id], cancellationToken);
        if (message is null)
        {
            return new ResendResult(ResendOutcome.NotFound, null, "There is no such message.");
        }
        if (message.Status != OutboxStatus.Failed)
        {
            return new ResendResult(ResendOutcome.NotFailed, message, $"Only failed messages can be resent; this one is {message.Status.ToString().ToLowerInvariant()}.");
        }
        var previousError = message.LastError;
        message.Status = OutboxStatus.Pending;
        message.Attempts = 0;
        message.NextAttemptAt = clock.GetUtcNow();
        message.LastError = null;
        audit.Record(actor, "outbox.resend", "OutboxMessage", message.Id.ToString(), message.SiteId, new { message.ToAddress, message.Subject, previousError });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new ResendResult(ResendOutcome.Conflict, message, "Someone else changed this message at the same time; reload and try again.");
        }
        jobs.Enqueue<OutboxSender>(s => s.SendDueAsync(CancellationToken.None));
        return new ResendResult(ResendOutcome.Resent, message, $"“{message.Subject}” to {message.ToAddress} is queued again and goes out within a minute.");
    }
}
