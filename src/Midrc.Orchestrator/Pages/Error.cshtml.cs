using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Midrc.Orchestrator.Pages;

/// <summary>
/// What a refused or missing page says, with the way back. It answers the method of the request that
/// failed (a refused form post is re-executed here as a post), so it checks no antiforgery token itself.
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class ErrorModel : PageModel
{
    public int Code { get; private set; }

    public void OnGet(int code) => Code = code;

    public void OnPost(int code) => Code = code;
}
