using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Pages.Shared;

namespace Midrc.Orchestrator.Pages.Outbox;

/// <summary>
/// The outbox for program managers: messages by status, failed ones with the server's reason and a Resend button, and
/// on the embedded default the pickup folder's messages, so a newcomer sees the mail the demo sends.
/// </summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class IndexModel(MidrcDbContext db, OutboxResend resend, PickupMail pickup) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public OutboxStatus? Status { get; set; }

    public IReadOnlyList<OutboxMessage> Messages { get; private set; } = [];

    public IReadOnlyList<PickupFile> Pickup { get; private set; } = [];

    public bool UsesPickupFolder => pickup.InUse;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Messages = await db.Outbox.NewestAsync(Status, cancellationToken);
        Pickup = pickup.List();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await resend.ResendAsync(id, User.Identity?.Name ?? "", cancellationToken);
        if (result.Outcome == ResendOutcome.NotFound)
        {
            return NotFound();
        }
        TempData.Tell(result.Explanation, isError: result.Outcome != ResendOutcome.Resent);
        return LocalRedirect(Url.Page("Index", new { status = Status }) ?? "/outbox");
    }
}
