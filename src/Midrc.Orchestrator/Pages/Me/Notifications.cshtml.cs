using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Pages.Shared;

namespace Midrc.Orchestrator.Pages.Me;

/// <summary>The signed-in person chooses how they get email: each as it happens, or one digest a day.</summary>
public sealed class NotificationsModel(NotificationPreferences preferences) : PageModel
{
    [BindProperty]
    public EmailPreference Preference { get; set; }

    public Person Person { get; private set; } = null!;

    public int Held { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await preferences.FindAsync(User.PersonId() ?? Guid.Empty, cancellationToken) is not { } person)
        {
            return NotFound();
        }
        Person = person;
        Preference = person.EmailPreference;
        Held = await preferences.HeldAsync(person, cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid || !Enum.IsDefined(Preference))
        {
            return BadRequest();
        }
        if (!await preferences.SaveAsync(User.PersonId() ?? Guid.Empty, Preference, cancellationToken))
        {
            return NotFound();
        }
        TempData.Tell(Preference == EmailPreference.DailyDigest
            ? "Saved: from now on your emails are gathered into one digest each morning at 07:00."
            : "Saved: from now on each email is sent to you as it happens.");
        return LocalRedirect("/me/notifications");
    }
}
