using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Releases;

/// <summary>
/// The releases, newest first, for program managers: state, counts, when each froze and was published, what the open
/// release would take now, and when the schedule freezes it next.
/// </summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class IndexModel(ReleaseDesk desk, ActorResolver actors, TimeProvider clock) : PageModel
{
    public IReadOnlyList<ReleaseSummary> Releases { get; private set; } = [];

    /// <summary>The release collecting exams now, with what it would take if it froze now.</summary>
    public ReleaseDetail Current { get; private set; } = null!;

    public DateTimeOffset? NextFreeze { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await actors.ResolveAsync(HttpContext, cancellationToken) is not { } viewer)
        {
            return NotFound();
        }
        var current = await desk.CurrentAsync(cancellationToken);
        Current = (await desk.DetailAsync(current.Number, viewer, cancellationToken))!;
        Releases = await desk.ListAsync(viewer, cancellationToken);
        NextFreeze = desk.NextScheduledFreeze();
        Now = clock.GetUtcNow();
        return Page();
    }
}
