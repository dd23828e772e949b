using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Pages.Sites;

/// <summary>
/// A site's page: its requests, submissions with their findings grouped by what to fix, and its people.
/// Program managers reach every site; a coordinator only their own (another site answers 404).
/// </summary>
[Authorize(Policy = MidrcPolicies.SiteCoordinator)]
public sealed class SiteModel(MidrcDbContext db, SitePage page, TimeProvider clock) : PageModel
{
    public SiteDetail Detail { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken cancellationToken)
    {
        var site = await db.FindVisibleSiteAsync(User, code, cancellationToken);
        if (site is null)
        {
            return NotFound();
        }
        Now = clock.GetUtcNow();
        Detail = await page.ReadAsync(site, cancellationToken);
        return Page();
    }
}
