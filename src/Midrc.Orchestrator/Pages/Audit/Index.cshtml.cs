using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Pages.Audit;

/// <summary>The audit log for program managers and admins: who changed what, filtered by site, action, person and days.</summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class IndexModel(AuditLog log, MidrcDbContext db) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Site { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Person { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateOnly? To { get; set; }

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public AuditPage Events { get; private set; } = new([], 1, false);

    public IReadOnlyList<string> Actions { get; private set; } = [];

    public IReadOnlyList<string> Sites { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Events = await log.ReadAsync(new AuditFilter(Site, Action, Person, From, To, PageNumber), User.TimeZone(), cancellationToken);
        Actions = await log.ActionsAsync(cancellationToken);
        Sites = await db.Sites.AsNoTracking().OrderBy(s => s.Code).Select(s => s.Code).ToListAsync(cancellationToken);
    }

    /// <summary>This filter on another page.</summary>
    public string PageLink(int page) => Url.Page("Index", new { Site, Action, Person, From, To, page }) ?? "/audit";
}
