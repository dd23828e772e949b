using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Stand-in for sign-in, which does not exist yet: the caller names themselves in the <c>X-Midrc-Actor</c> header
/// (their email) and is looked up in <c>People</c> with their roles. The sign-in work replaces this one class.
/// </summary>
public sealed class ActorResolver(MidrcDbContext db)
{
    public const string Header = "X-Midrc-Actor";

    /// <summary>The actor named by the request, or null when the header is missing or names no active person.</summary>
    public async Task<Actor?> ResolveAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var email = context.Request.Headers[Header].ToString().Trim();
        return email.Length == 0 ? null : await FindAsync(email, cancellationToken);
    }

    /// <summary>The active person with this email, with their roles, or null.</summary>
    public async Task<Actor?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var person = await db.People.AsNoTracking().Include(p => p.Roles)
            .SingleOrDefaultAsync(p => p.Email == email && p.IsActive, cancellationToken);
        return person is null
            ? null
            : new Actor(
                person.Email,
                person.Roles.Any(r => r.Role is Role.ProgramManager or Role.Admin),
                person.Roles.Where(r => r.Role == Role.SiteCoordinator && r.SiteId is not null).Select(r => r.SiteId!.Value).ToHashSet());
    }
}
