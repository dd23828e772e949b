using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// The signed-in person as claims, and the one place that decides which sites they may see: program
/// managers and admins see every site; a coordinator sees the sites of their <see cref="SiteClaim"/>s.
/// Pages and endpoints fetch a site only through <see cref="FindVisibleSiteAsync"/> or <see cref="VisibleTo"/>,
/// so none can forget the check.
/// </summary>
public static class MidrcUser
{
    public const string SiteClaim = "midrc:site";
    public const string DisplayNameClaim = "midrc:display-name";
    public const string TimeZoneClaim = "midrc:time-zone";

    /// <summary>The claims of a person with their roles loaded.</summary>
    public static ClaimsPrincipal PrincipalOf(Person person)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, person.Id.ToString()),
            new(ClaimTypes.Name, person.Email),
            new(DisplayNameClaim, person.DisplayName),
            new(TimeZoneClaim, person.TimeZone),
        };
        claims.AddRange(person.Roles.Select(r => r.Role).Distinct().Select(role => new Claim(ClaimTypes.Role, role.ToString())));
        claims.AddRange(person.Roles
            .Where(r => r is { Role: Role.SiteCoordinator, SiteId: not null })
            .Select(r => new Claim(SiteClaim, r.SiteId!.Value.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    public static Guid? PersonId(this ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string DisplayName(this ClaimsPrincipal user) => user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "";

    /// <summary>The viewer's time zone; UTC when unknown on this machine.</summary>
    public static TimeZoneInfo TimeZone(this ClaimsPrincipal user) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(user.FindFirstValue(TimeZoneClaim) ?? "UTC", out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>Program managers and admins: they see the whole program.</summary>
    public static bool IsProgramManager(this ClaimsPrincipal user) =>
        user.IsInRole(nameof(Role.ProgramManager)) || user.IsInRole(nameof(Role.Admin));

    /// <summary>The sites this user coordinates.</summary>
    public static IReadOnlyList<Guid> CoordinatedSiteIds(this ClaimsPrincipal user) =>
        [.. user.FindAll(SiteClaim).Select(c => Guid.Parse(c.Value, CultureInfo.InvariantCulture))];

    /// <summary>True when the user may see this site's data.</summary>
    public static bool CanSee(this ClaimsPrincipal user, Guid siteId) =>
        user.IsProgramManager() || user.CoordinatedSiteIds().Contains(siteId);

    /// <summary>The sites the user may see.</summary>
    public static IQueryable<Site> VisibleTo(this IQueryable<Site> sites, ClaimsPrincipal user)
    {
        if (user.IsProgramManager())
        {
            return sites;
        }
        var ids = user.CoordinatedSiteIds();
        return sites.Where(s => ids.Contains(s.Id));
    }

    /// <summary>The site with this code when the user may see it; null (answer 404) otherwise, so another site's existence is not revealed.</summary>
    public static Task<Site?> FindVisibleSiteAsync(this MidrcDbContext db, ClaimsPrincipal user, string code, CancellationToken cancellationToken) =>
        db.Sites.AsNoTracking().VisibleTo(user).SingleOrDefaultAsync(s => s.Code == code, cancellationToken);
}
