using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Pages.Shared;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Pages.Sites;

/// <summary>
/// A site's API tokens (for <c>midrc submit</c> and the site's DICOMweb gateway): listed by prefix, created (the
/// secret shown this once), revoked. Coordinators of the site and program managers; another site answers 404.
/// </summary>
[Authorize(Policy = MidrcPolicies.SiteCoordinator)]
public sealed class TokensModel(MidrcDbContext db, ApiTokens tokens) : PageModel
{
    private const int MaxNameLength = 100;

    public Site Site { get; private set; } = null!;

    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    /// <summary>The token just created, shown once.</summary>
    public IssuedToken? Issued { get; private set; }

    [BindProperty]
    [System.ComponentModel.DataAnnotations.DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Name { get; set; } = "";

    public async Task<IActionResult> OnGetAsync(string code, CancellationToken cancellationToken) =>
        await LoadAsync(code, cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostCreateAsync(string code, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(code, cancellationToken))
        {
            return NotFound();
        }
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > MaxNameLength)
        {
            ModelState.AddModelError(nameof(Name), $"Name the token after where it is used, e.g. “gateway” or “Maria's laptop” (at most {MaxNameLength} characters).");
            return Page();
        }
        // Shown in this response only: it is never stored, so it must not travel through a redirect.
        Response.Headers.CacheControl = "no-store";
        Issued = await tokens.CreateAsync(Site.Code, Name.Trim(), User.Identity?.Name ?? "", cancellationToken);
        Tokens = await tokens.ListAsync(Site.Id, cancellationToken);
        Name = "";
        ModelState.Clear();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string code, Guid id, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(code, cancellationToken) || Tokens.FirstOrDefault(t => t.Id == id) is not { } token)
        {
            return NotFound();
        }
        TempData.Tell(await tokens.RevokeAsync(token.Id, User.Identity?.Name ?? "", cancellationToken)
            ? $"The token {token.Prefix}… ({token.Name}) is revoked; anything still using it is refused from now on."
            : $"The token {token.Prefix}… was already revoked.");
        return LocalRedirect(SitePaths.Tokens(Site.Code));
    }

    private async Task<bool> LoadAsync(string code, CancellationToken cancellationToken)
    {
        if (await db.FindVisibleSiteAsync(User, code, cancellationToken) is not { } site)
        {
            return false;
        }
        Site = site;
        Tokens = await tokens.ListAsync(site.Id, cancellationToken);
        return true;
    }
}
