using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// A person's choice between each email as it happens and one daily digest (07:00 in their time zone, see
/// <see cref="DailyDigest"/>). The outbox reads the choice when it writes each message.
/// </summary>
public sealed class NotificationPreferences(MidrcDbContext db, AuditTrail audit)
{
    /// <summary>The person with this id, or null.</summary>
    public Task<Person?> FindAsync(Guid personId, CancellationToken cancellationToken) =>
        db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, cancellationToken);

    /// <summary>Saves the person's choice (audited when it changes); false when there is no such person.</summary>
    public async Task<bool> SaveAsync(Guid personId, EmailPreference preference, CancellationToken cancellationToken)
    {
        var person = await db.People.SingleOrDefaultAsync(p => p.Id == personId, cancellationToken);
        if (person is null)
        {
            return false;
        }
        if (person.EmailPreference != preference)
        {
            audit.Record(person.Email, "person.email-preference", nameof(Person), person.Id.ToString(),
                details: new { from = person.EmailPreference.ToString(), to = preference.ToString() });
            person.EmailPreference = preference;
            await db.SaveChangesAsync(cancellationToken);
        }
        return true;
    }

    /// <summary>How many emails are held for the person's next digest.</summary>
    public Task<int> HeldAsync(Person person, CancellationToken cancellationToken) =>
        db.Outbox.CountAsync(m => m.ToAddress == person.Email && m.Status == OutboxStatus.Digested && m.DigestId == null, cancellationToken);
}
