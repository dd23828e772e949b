using Cronos;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Workflows.Loading;
using Midrc.Workflows.Templates;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Groups the emails held for people who chose a daily digest into one email each, at 07:00 in the person's
/// own time zone. Exactly once per person and day: the digest's idempotency key is <c>digest:&lt;person&gt;:&lt;date&gt;</c>,
/// and the digest and the marks on the messages it carries are saved together.
/// </summary>
public sealed class DailyDigest(MidrcDbContext db, Outbox outbox, EmailRenderer renderer, WorkflowLibrary library, TimeProvider clock, ILogger<DailyDigest> log)
{
    public const string RecurringJobId = "outbox-digests";
    public const string TemplateName = "daily-digest";

    /// <summary>Often enough for time zones offset by a quarter or half hour.</summary>
    public const string JobSchedule = "*/15 * * * *";

    /// <summary>When a digest is due, in the recipient's time zone.</summary>
    private static readonly CronExpression DigestTime = CronExpression.Parse("0 7 * * *");

    /// <summary>Writes every digest that is due to the outbox; returns how many.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> WriteDueAsync(CancellationToken cancellationToken)
    {
        var template = library.FindTemplate(TemplateName)
            ?? throw new InvalidOperationException($"The email template '{TemplateName}' is missing from workflows/templates/; daily digests cannot be written.");
        var now = clock.GetUtcNow();
        var addresses = await db.Outbox
            .Where(m => m.Status == OutboxStatus.Digested && m.DigestId == null)
            .Select(m => m.ToAddress)
            .Distinct()
            .ToListAsync(cancellationToken);
        var people = await db.People.AsNoTracking().Where(p => addresses.Contains(p.Email) && p.IsActive).ToListAsync(cancellationToken);

        var written = 0;
        foreach (var person in people)
        {
            if (await TryWriteAsync(person, template, now, cancellationToken))
            {
                written++;
            }
        }
        return written;
    }

    /// <summary>The digest key of the last 07:00 at or before <paramref name="now"/> in the person's zone, and that moment.</summary>
    public static (string Key, DateTimeOffset Cutoff) DueDigest(Person person, DateTimeOffset now)
    {
        var zone = EmailRenderer.TimeZoneOf(person);
        var cutoff = DigestTime.GetOccurrences(now.AddDays(-2), now, zone, fromInclusive: true, toInclusive: true).Last();
        var day = TimeZoneInfo.ConvertTime(cutoff, zone);
        return ($"digest:{person.Id}:{day:yyyy-MM-dd}", cutoff.ToUniversalTime());
    }

    private async Task<bool> TryWriteAsync(Person person, EmailTemplate template, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (key, cutoff) = DueDigest(person, now);
        if (await db.Outbox.AnyAsync(m => m.IdempotencyKey == key, cancellationToken))
        {
            return false;
        }
        var held = await db.Outbox
            .Where(m => m.Status == OutboxStatus.Digested && m.DigestId == null && m.ToAddress == person.Email && m.CreatedAt < cutoff)
            .OrderBy(m => m.CreatedAt)
            .ToListAsync(cancellationToken);
        if (held.Count == 0)
        {
            return false;
        }

        var model = new EmailModel { Messages = [.. held.Select(m => new DigestEntry(m.Subject, m.TextBody, m.CreatedAt))] };
        var digest = outbox.EnqueueNow(person, key, TemplateName, renderer.Render(template, person, model));
        foreach (var message in held)
        {
            message.DigestId = digest.Id;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e)
        {
            // Another run wrote this digest (unique key) or took these messages (concurrency token) first.
            db.ChangeTracker.Clear();
            log.LogInformation(e, "Digest {Key} was written by another run.", key);
            return false;
        }
    }
}
