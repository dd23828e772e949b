using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Pages.Sites;

/// <summary>
/// A coordinator uploads from the browser: files, a folder, zip archives and clinical CSVs, with progress, then
/// completes the submission. The page's script calls the same upload API as <c>midrc submit</c>, authenticated by the
/// coordinator's sign-in cookie and the page's antiforgery token (see <c>SiteAuthentication</c>). Only the site's own
/// coordinators upload; anyone else gets 404.
/// </summary>
[Authorize(Policy = MidrcPolicies.SiteCoordinator)]
public sealed class UploadModel(MidrcDbContext db, SitePage page) : PageModel
{
    public Site Site { get; private set; } = null!;

    /// <summary>The site's open requests, one of which the upload may answer.</summary>
    public IReadOnlyList<RequestRow> OpenRequests { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleSiteAsync(User, code, cancellationToken) is not { } site || !User.CoordinatedSiteIds().Contains(site.Id))
        {
            return NotFound();
        }
        Site = site;
        OpenRequests = [.. (await page.RequestsAsync(site, cancellationToken)).Where(r => r.IsOpen)];
        return Page();
    }
}
