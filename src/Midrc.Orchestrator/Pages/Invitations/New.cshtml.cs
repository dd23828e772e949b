using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Pages.Shared;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Invitations;

/// <summary>A program manager invites a site: the site, its coordinator, and the onboarding workflow that emails them.</summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class NewModel(SiteInvitations invitations, ActorResolver actors) : PageModel
{
    /// <summary>The time zones offered in the form's suggestions, by IANA name.</summary>
    public static IReadOnlyList<string> TimeZones { get; } =
        [.. TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Order(StringComparer.Ordinal)];

    [BindProperty]
    public SiteInvitation Input { get; set; } = new();

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        foreach (var (field, problem) in await invitations.ProblemsAsync(Input, cancellationToken))
        {
            ModelState.AddModelError($"{nameof(Input)}.{field}", problem);
        }
        if (!ModelState.IsValid || await actors.ResolveAsync(HttpContext, cancellationToken) is not { } actor)
        {
            return Page();
        }
        var site = await invitations.InviteAsync(Input, actor, cancellationToken);
        TempData.Tell($"{site.Code} {site.Name} is invited. The invitation email to {Input.CoordinatorEmail.Trim()} is in the outbox; onboarding has started.");
        return LocalRedirect(SitePaths.Site(site.Code));
    }
}
