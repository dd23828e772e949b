using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Midrc.Orchestrator.Auth;

namespace Midrc.Orchestrator.Pages.SignIn;

/// <summary>
/// The page an emailed link opens. Opening it signs nobody in (mail scanners open links too); the button
/// posts the form that uses the link and sets the cookie.
/// </summary>
[EnableRateLimiting(MidrcPolicies.SignInRateLimit)]
public sealed class LinkModel(SignInLinks links) : PageModel
{
    public string? Name { get; private set; }

    public async Task OnGetAsync(string token, CancellationToken cancellationToken) =>
        Name = (await links.PeekAsync(token, cancellationToken))?.DisplayName;

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken cancellationToken)
    {
        var person = await links.ConsumeAsync(token, HttpContext.Connection.RemoteIpAddress?.ToString() ?? "in-process", cancellationToken);
        if (person is null)
        {
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, MidrcUser.PrincipalOf(person));
        return LocalRedirect("/");
    }
}
