using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Notifications;

namespace Midrc.Orchestrator.Pages.Outbox;

/// <summary>
/// One message of the pickup folder, readable: headers, the text body, and the HTML body in a sandboxed frame whose
/// document runs no script and loads nothing.
/// </summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class MailModel(PickupMail pickup) : PageModel
{
    /// <summary>Served with the HTML body: no script, no network, no forms, whatever the email holds.</summary>
    public const string HtmlPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:";

    public PickupMessage Message { get; private set; } = null!;

    public IActionResult OnGet(string name)
    {
        if (pickup.Open(name) is not { } message)
        {
            return NotFound();
        }
        Message = message;
        return Page();
    }

    /// <summary>The HTML body alone, for the page's sandboxed frame.</summary>
    public IActionResult OnGetHtml(string name)
    {
        if (pickup.Open(name) is not { } message)
        {
            return NotFound();
        }
        Response.Headers.ContentSecurityPolicy = HtmlPolicy;
        Response.Headers.XContentTypeOptions = "nosniff";
        return Content(message.HtmlBody, "text/html; charset=utf-8");
    }
}
