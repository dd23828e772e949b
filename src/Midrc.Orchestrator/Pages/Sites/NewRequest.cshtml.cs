using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Pages.Shared;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Sites;

/// <summary>A program manager asks an active site for data: modalities, number of exams, inclusion criteria, due date.</summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class NewRequestModel(MidrcDbContext db, DataRequests requests, ActorResolver actors) : PageModel
{
    [BindProperty]
    public DataRequestForm Input { get; set; } = new();

    public Site Site { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleSiteAsync(User, code, cancellationToken) is not { } site)
        {
            return NotFound();
        }
        Site = site;
        foreach (var (field, problem) in requests.Problems(site, Input).Where(p => p.Key.Length == 0))
        {
            ModelState.AddModelError(field, problem);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string code, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleSiteAsync(User, code, cancellationToken) is not { } site)
        {
            return NotFound();
        }
        Site = site;
        foreach (var (field, problem) in requests.Problems(site, Input))
        {
            ModelState.AddModelError(field.Length == 0 ? "" : $"{nameof(Input)}.{field}", problem);
        }
        if (!ModelState.IsValid || await actors.ResolveAsync(HttpContext, cancellationToken) is not { } actor)
        {
            return Page();
        }
        var request = await requests.SendAsync(site, Input, actor, cancellationToken);
        TempData.Tell($"The request “{request.Title}” is sent to {site.Code}; its coordinators are emailed and asked to acknowledge it.");
        return LocalRedirect(SitePaths.Request(site.Code, request.Id));
    }
}
