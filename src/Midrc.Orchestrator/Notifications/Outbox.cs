using Hangfire;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Workflows.Templates;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Writes emails to the outbox in the caller's unit of work: nothing is saved here, so a message exists
/// exactly when the change that caused it is committed. After a successful save the sender is asked to
/// run at once; the every-minute run covers a save inside a longer transaction.
/// </summary>
public sealed class Outbox(MidrcDbContext db, EmailRenderer renderer, TimeProvider clock, IBackgroundJobClient jobs, ILogger<Outbox> log)
{
    private bool sendAfterSave;

    /// <summary>Renders <paramref name="template"/> for <paramref name="recipient"/> and adds it to the outbox.</summary>
    public OutboxMessage Enqueue(Person recipient, string idempotencyKey, EmailTemplate template, EmailModel model, Guid? siteId = null) =>
        Enqueue(recipient, idempotencyKey, template.Name, renderer.Render(template, recipient, model), siteId);

    /// <summary>
    /// Adds a rendered email for <paramref name="recipient"/> to the caller's context without saving. People
    /// who chose a daily digest get it held (<see cref="OutboxStatus.Digested"/>) for their next digest. The same
    /// key twice in one unit of work gives the first message; across units of work the unique key rejects it.
    /// </summary>
    public OutboxMessage Enqueue(Person recipient, string idempotencyKey, string template, RenderedEmail email, Guid? siteId = null) =>
        Add(recipient, idempotencyKey, template, email, siteId, recipient.EmailPreference == EmailPreference.DailyDigest ? OutboxStatus.Digested : OutboxStatus.Pending);

    /// <summary>Adds an email that goes out now whatever the recipient's preference (the digest itself).</summary>
    internal OutboxMessage EnqueueNow(Person recipient, string idempotencyKey, string template, RenderedEmail email) =>
        Add(recipient, idempotencyKey, template, email, siteId: null, OutboxStatus.Pending);

    private OutboxMessage Add(Person recipient, string idempotencyKey, string template, RenderedEmail email, Guid? siteId, OutboxStatus status)
    {
        if (db.Outbox.Local.FirstOrDefault(m => m.IdempotencyKey == idempotencyKey) is { } existing)
        {
            return existing;
        }

        var now = clock.GetUtcNow();
        var message = new OutboxMessage
        {
            IdempotencyKey = idempotencyKey,
            ToAddress = recipient.Email,
            ToName = recipient.DisplayName,
            Subject = email.Subject,
            TextBody = email.TextBody,
            HtmlBody = email.HtmlBody,
            Template = template,
            SiteId = siteId,
            Status = status,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.Outbox.Add(message);
        if (message.Status == OutboxStatus.Pending && !sendAfterSave)
        {
            sendAfterSave = true;
            db.SavedChanges += SendSoon;
        }
        return message;
    }

    private void SendSoon(object? sender, SavedChangesEventArgs e)
    {
        db.SavedChanges -= SendSoon;
        sendAfterSave = false;
        try
        {
            jobs.Enqueue<OutboxSender>(s => s.SendDueAsync(CancellationToken.None));
        }
        catch (Exception ex)
        {
            // The messages are committed; the every-minute run sends them. The caller's save must not look failed.
            log.LogWarning(ex, "Could not ask the sender to run at once; the outbox is sent within a minute.");
        }
    }
}
