using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Pages.Shared;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Sites;

/// <summary>
/// A site's page: its timeline and workflow diagram, the actions the viewer may take now, its requests, submissions
/// with their findings grouped by what to fix, and its people. Program managers reach every site; a coordinator only
/// their own (another site answers 404).
/// </summary>
[Authorize(Policy = MidrcPolicies.SiteCoordinator)]
public sealed class SiteModel(MidrcDbContext db, SitePage page, SiteWorkflows workflows, ActorResolver actors, TimeProvider clock) : PageModel
{
    public SiteDetail Detail { get; private set; } = null!;

    public SiteWorkflowView Workflows { get; private set; } = null!;

    public DateTimeOffset Now { get; private set; }

    /// <summary>True when the viewer coordinates this site (uploads and tokens are theirs).</summary>
    public bool IsCoordinator { get; private set; }

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken cancellationToken)
    {
        var site = await db.FindVisibleSiteAsync(User, code, cancellationToken);
        if (site is null || await actors.ResolveAsync(HttpContext, cancellationToken) is not { } viewer)
        {
            return NotFound();
        }
        Now = clock.GetUtcNow();
        IsCoordinator = User.CoordinatedSiteIds().Contains(site.Id);
        Detail = await page.ReadAsync(site, cancellationToken);
        Workflows = await workflows.ReadAsync(site, viewer, cancellationToken);
        return Page();
    }

    /// <summary>Fires one of the site's workflow triggers, then shows the page again with what happened.</summary>
    public async Task<IActionResult> OnPostFireAsync(string code, Guid instanceId, string trigger, string key, string? reason, CancellationToken cancellationToken)
    {
        var site = await db.FindVisibleSiteAsync(User, code, cancellationToken);
        if (site is null || await actors.ResolveAsync(HttpContext, cancellationToken) is not { } actor)
        {
            return NotFound();
        }
        if (string.IsNullOrEmpty(trigger) || string.IsNullOrEmpty(key) || key.Length > WorkflowRuntime.MaxKeyLength)
        {
            return BadRequest();
        }
        var result = await workflows.FireAsync(site, instanceId, trigger, key, reason, actor, cancellationToken);
        if (result.Outcome == FireOutcome.NotFound)
        {
            return NotFound();
        }
        TempData.Tell(result.Message, isError: result.Outcome is not (FireOutcome.Fired or FireOutcome.Replayed));
        return LocalRedirect(SitePaths.Site(site.Code));
    }
}
