using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Notifications;

namespace Midrc.Orchestrator.Pages.SignIn;

/// <summary>Asks for an email address and sends a sign-in link; the answer is the same whether or not the address has an account.</summary>
[EnableRateLimiting(MidrcPolicies.SignInRateLimit)]
public sealed class IndexModel(SignInLinks links, SignInThrottle throttle, MailDelivery delivery, IWebHostEnvironment environment, ILogger<IndexModel> log) : PageModel
{
    [BindProperty]
    [Required(ErrorMessage = "Enter the email address you were invited with.")]
    [EmailAddress(ErrorMessage = "Enter an email address such as name@hospital.org.")]
    [StringLength(320)]
    public string Email { get; set; } = "";

    /// <summary>Set after a request: the address the link was sent to, if it has an account.</summary>
    public string? SentTo { get; private set; }

    [BindProperty(SupportsGet = true)]
    public bool SignedOut { get; set; }

    /// <summary>Where the email is, when a developer runs the embedded default without an SMTP server.</summary>
    public string? PickupFolder => environment.IsDevelopment() && delivery.UsesPickupFolder ? delivery.PickupFolder : null;

    public IActionResult OnGet() => User.Identity?.IsAuthenticated == true ? LocalRedirect("/") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var from = HttpContext.Connection.RemoteIpAddress?.ToString() ?? "in-process";
        if (throttle.TryAcquire(Email))
        {
            await links.RequestAsync(Email, from, cancellationToken);
        }
        else
        {
            log.LogWarning("Sign-in links for one address asked for too often, from {Address}; none sent.", from);
        }
        SentTo = Email.Trim();
        return Page();
    }
}
