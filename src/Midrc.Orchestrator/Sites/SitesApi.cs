using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Sites;

/// <summary>A site in lists: the shape of <c>midrc sites list --format json</c> and <c>GET /api/sites</c>.</summary>
public sealed record SiteSummary(string Code, string Name, string Stage);

public static class SitesApi
{
    /// <summary>Every site of the program, by code.</summary>
    public static async Task<List<SiteSummary>> ListSitesAsync(this MidrcDbContext db, CancellationToken cancellationToken)
    {
        var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken);
        return [.. sites.Select(s => new SiteSummary(s.Code, s.Name, s.Stage.ToString()))];
    }

    public static IEndpointRouteBuilder MapSites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/sites").WithTags("Sites");
        group.MapGet("/", async Task<Ok<List<SiteSummary>>> (MidrcDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.ListSitesAsync(ct)))
            .WithSummary("Lists every site with its stage.");
        return app;
    }
}
