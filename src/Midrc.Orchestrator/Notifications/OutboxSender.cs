using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Sends due outbox messages. Safe to run twice and on several nodes at once: a message is claimed by
/// saving it with its concurrency token before it is sent, so only one run sends it; a run that dies after
/// claiming leaves the claim to expire, and the message is tried again.
/// </summary>
public sealed class OutboxSender(MidrcDbContext db, MailDelivery delivery, IOptions<SmtpOptions> smtp, TimeProvider clock, ILogger<OutboxSender> log)
{
    public const string RecurringJobId = "outbox-send";

    /// <summary>How long a claimed message is left to its sender before another run may try it.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    /// <summary>Sends what is due; returns how many messages went out.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var options = smtp.Value;
        var now = clock.GetUtcNow();
        var due = await db.Outbox
            .Where(m => m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.NextAttemptAt)
            .Take(options.BatchSize)
            .ToListAsync(cancellationToken);

        var claimed = new List<OutboxMessage>();
        foreach (var message in due)
        {
            if (await TryClaimAsync(message, now, cancellationToken))
            {
                claimed.Add(message);
            }
        }

        var sent = 0;
        await using var session = delivery.Open();
        foreach (var message in claimed)
        {
            var failure = await DeliverAsync(session, message, options, cancellationToken);
            var at = clock.GetUtcNow();
            if (failure is null)
            {
                message.Status = OutboxStatus.Sent;
                message.SentAt = at;
                message.LastError = null;
                sent++;
            }
            else
            {
                message.LastError = failure.Reason;
                message.Status = failure.Permanent || message.Attempts >= options.MaxAttempts ? OutboxStatus.Failed : OutboxStatus.Pending;
                message.NextAttemptAt = at + options.RetryDelayAfter(message.Attempts);
                log.LogWarning("Email {MessageId} to {To} not sent (attempt {Attempts} of {MaxAttempts}, now {Status}): {Reason}",
                    message.Id, message.ToAddress, message.Attempts, options.MaxAttempts, message.Status, failure.Reason);
            }
            await db.SaveChangesAsync(cancellationToken);
        }
        return sent;
    }

    private static async Task<DeliveryFailure?> DeliverAsync(MailDelivery.Session session, OutboxMessage message, SmtpOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await session.DeliverAsync(EmailMessages.Build(message, options), EmailMessages.PickupFileName(message), cancellationToken);
        }
        catch (FormatException e)
        {
            return new DeliveryFailure(e.Message, Permanent: true);
        }
    }

    /// <summary>Counts the attempt and moves the message out of reach of other runs; false when another run got there first.</summary>
    private async Task<bool> TryClaimAsync(OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        message.Attempts++;
        message.NextAttemptAt = now + ClaimLease;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.Entry(message).State = EntityState.Detached;
            log.LogDebug("Email {MessageId} was claimed by another sender.", message.Id);
            return false;
        }
    }
}
