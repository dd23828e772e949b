using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// The workflow actor behind a request: the signed-in person (from the sign-in cookie), looked up again in
/// <c>People</c> with their current roles, so a deactivated person or a removed role stops working at once.
/// </summary>
public sealed class ActorResolver(MidrcDbContext db)
{
    /// <summary>The signed-in person as an actor, or null when nobody (active) is signed in.</summary>
    public async Task<Actor?> ResolveAsync(HttpContext context, CancellationToken cancellationToken) =>
        context.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } email } ? await FindAsync(email, cancellationToken) : null;

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
