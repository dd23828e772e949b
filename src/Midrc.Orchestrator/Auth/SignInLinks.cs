using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Sign-in by a one-time link sent by email: 256 random bits, stored as a SHA-256 hash, valid for
/// <see cref="Lifetime"/>, usable once. The link goes out at once, whatever the person's digest preference.
/// </summary>
public sealed class SignInLinks(
    MidrcDbContext db, Outbox outbox, EmailRenderer renderer, WorkflowLibrary library, AuditTrail audit, TimeProvider clock, ILogger<SignInLinks> log)
{
    public const string TemplateName = "sign-in-link";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const int MaxTokenLength = 100;

    /// <summary>
    /// Emails a link when <paramref name="email"/> belongs to an active person, and does nothing otherwise;
    /// the caller answers the same either way, so nobody learns which addresses have an account.
    /// </summary>
    public async Task RequestAsync(string email, string requestedFrom, CancellationToken cancellationToken)
    {
        var person = await FindActivePersonAsync(email, cancellationToken);
        if (person is null)
        {
            log.LogInformation("Sign-in asked for an address without an active account, from {Address}.", requestedFrom);
            return;
        }
        await IssueAsync(person, requestedFrom, cancellationToken);
    }

    /// <summary>Creates a link for <paramref name="person"/>, writes its email to the outbox and saves both.</summary>
    private async Task IssueAsync(Person person, string requestedFrom, CancellationToken cancellationToken)
    {
        var template = library.FindTemplate(TemplateName)
            ?? throw new InvalidOperationException($"The email template '{TemplateName}' is missing from workflows/templates/; nobody can sign in without it.");
        var (link, token) = NewLink(person);
        var email = renderer.Render(template, person, new EmailModel { ActionPath = $"/sign-in/{token}", Deadline = link.ExpiresAt });
        outbox.EnqueueNow(person, $"sign-in:{link.Id}", TemplateName, email);
        audit.Record(person.Email, "sign-in.link-sent", nameof(SignInLink), link.Id.ToString(), details: new { requestedFrom });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>A saved link without its email: for tests and tools that hand the link over themselves.</summary>
    internal async Task<string> CreateLinkAsync(Person person, CancellationToken cancellationToken)
    {
        var (_, token) = NewLink(person);
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }

    private (SignInLink Link, string Token) NewLink(Person person)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow();
        var link = new SignInLink { PersonId = person.Id, TokenHash = HashOf(token), CreatedAt = now, ExpiresAt = now + Lifetime };
        db.SignInLinks.Add(link);
        return (link, token);
    }

    /// <summary>The person a link would sign in, without using it; null when it is unknown, used or expired.</summary>
    public async Task<Person?> PeekAsync(string token, CancellationToken cancellationToken) =>
        (await FindUsableAsync(token, cancellationToken))?.Person;

    /// <summary>
    /// Uses the link and returns the person with their roles; null when the link is unknown, used, expired,
    /// or its person is no longer active. Of two simultaneous uses exactly one succeeds.
    /// </summary>
    public async Task<Person?> ConsumeAsync(string token, string usedFrom, CancellationToken cancellationToken)
    {
        var link = await FindUsableAsync(token, cancellationToken);
        if (link?.Person is not { } person)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var claimed = await db.SignInLinks
            .Where(l => l.Id == link.Id && l.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, now), cancellationToken);
        if (claimed != 1)
        {
            return null;
        }
        audit.Record(person.Email, "sign-in", nameof(Person), person.Id.ToString(), details: new { link = link.Id, usedFrom });
        await db.SaveChangesAsync(cancellationToken);
        return person;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1862", Justification = "EF Core translates ToLower on every provider, not string.Equals with a StringComparison.")]
    private Task<Person?> FindActivePersonAsync(string email, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        return db.People.SingleOrDefaultAsync(p => p.Email.ToLower() == normalized && p.IsActive, cancellationToken);
    }

    private async Task<SignInLink?> FindUsableAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return null;
        }
        var hash = HashOf(token);
        var now = clock.GetUtcNow();
        var link = await db.SignInLinks.AsNoTracking()
            .Include(l => l.Person).ThenInclude(p => p!.Roles)
            .SingleOrDefaultAsync(l => l.TokenHash == hash, cancellationToken);
        return link is { UsedAt: null, Person.IsActive: true } && link.ExpiresAt > now ? link : null;
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
