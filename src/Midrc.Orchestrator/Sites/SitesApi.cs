using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Sites;

/// <summary>A site in lists: the shape of <c>midrc sites list --format json</c> and <c>GET /api/sites</c>.</summary>
public sealed record SiteSummary(string Code, string Name, string Stage);

public static class SitesApi
{
    /// <summary>Every site of the program, by code.</summary>
    public static Task<List<SiteSummary>> ListSitesAsync(this MidrcDbContext db, CancellationToken cancellationToken) =>
        db.Sites.ListSitesAsync(cancellationToken);

    /// <summary>These sites, by code.</summary>
    public static async Task<List<SiteSummary>> ListSitesAsync(this IQueryable<Site> query, CancellationToken cancellationToken)
    {
        var sites = await query.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken);
        return [.. sites.Select(s => new SiteSummary(s.Code, s.Name, s.Stage.ToString()))];
    }

    public static IEndpointRouteBuilder MapSites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sites").WithTags("Sites").RequireAuthorization(MidrcPolicies.SignedIn);
        group.MapGet("/", async Task<Ok<List<SiteSummary>>> (MidrcDbContext db, ClaimsPrincipal user, CancellationToken ct) =>
            TypedResults.Ok(await db.Sites.VisibleTo(user).ListSitesAsync(ct)))
            .WithSummary("Lists the sites the signed-in person may see (every site for program managers) with their stage.");
        return app;
    }
}
