using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Pages.Shared;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Releases;

/// <summary>
/// One release for program managers: its state, counts by site and modality, its exams (while open, the exams it would
/// take now), the exclusions, and the workflow's buttons (freeze now, hold, approve, reopen). Exams are excluded here
/// with a reason while the release is open. Everything goes through <see cref="ReleaseDesk"/>, as the API does.
/// </summary>
[Authorize(Policy = MidrcPolicies.ProgramManager)]
public sealed class ReleaseModel(ReleaseDesk desk, ActorResolver actors, IOptions<ReleaseOptions> options) : PageModel
{
    public ReleaseDetail Detail { get; private set; } = null!;

    public ReleaseContents Contents { get; private set; } = null!;

    public WorkflowActions Actions { get; private set; } = null!;

    public ReleaseState State { get; private set; }

    public DateTimeOffset? NextFreeze { get; private set; }

    public IReadOnlyList<BuildProgress> Progress { get; private set; } = [];

    /// <summary>A build step runs in the background now: the page follows it.</summary>
    public bool IsBuilding { get; private set; }

    /// <summary>Exams may be excluded only while the release is open.</summary>
    public bool IsOpen => State == ReleaseState.Open;

    /// <summary>Not frozen yet (or reopened): its exams are the ones it would take now.</summary>
    public bool IsCollecting { get; private set; }

    public async Task<IActionResult> OnGetAsync(int number, CancellationToken cancellationToken)
    {
        if (await actors.ResolveAsync(HttpContext, cancellationToken) is not { } viewer
            || await desk.FindAsync(number, cancellationToken) is not { } release
            || await desk.DetailAsync(number, viewer, cancellationToken) is not { } detail)
        {
            return NotFound();
        }
        Detail = detail;
        State = release.State;
        IsCollecting = ReleaseDesk.IsCollecting(release);
        Contents = await desk.ContentsAsync(release, cancellationToken);
        Actions = await desk.ActionsAsync(release, viewer, cancellationToken);
        NextFreeze = desk.NextScheduledFreeze();
        Progress = ReleaseDesk.Progress(release, options.Value.RequireApproval);
        IsBuilding = ReleaseDesk.IsBuilding(release);
        return Page();
    }

    /// <summary>Moves the release along its workflow (freeze, hold, approve, reopen), then shows it again with what happened.</summary>
    public Task<IActionResult> OnPostFireAsync(int number, string trigger, string key, string? reason, CancellationToken cancellationToken) =>
        ActAsync(number, async (actor, release) =>
        {
            if (string.IsNullOrEmpty(trigger) || string.IsNullOrEmpty(key))
            {
                return ("Choose an action.", true);
            }
            var result = await desk.FireAsync(release, trigger, actor, key, reason, cancellationToken);
            return (result.Message, result.Outcome is not (FireOutcome.Fired or FireOutcome.Replayed));
        }, cancellationToken);

    public Task<IActionResult> OnPostExcludeAsync(int number, string site, string studyInstanceUid, string? reason, CancellationToken cancellationToken) =>
        ActAsync(number, async (actor, _) =>
        {
            var line = await desk.ExcludeAsync(actor, new ExclusionBody(site, studyInstanceUid, reason), cancellationToken);
            return ($"Exam {line.StudyInstanceUid} of {line.Site} is kept out of this release; it waits for a later one.", false);
        }, cancellationToken);

    public Task<IActionResult> OnPostIncludeAsync(int number, string site, string studyInstanceUid, CancellationToken cancellationToken) =>
        ActAsync(number, async (actor, _) =>
        {
            await desk.IncludeAsync(actor, site, studyInstanceUid, cancellationToken);
            return ($"Exam {studyInstanceUid} of {site} is back in this release.", false);
        }, cancellationToken);

    /// <summary>Runs an action on a release that exists, tells its outcome on the next page, and shows the release again.</summary>
    private async Task<IActionResult> ActAsync(int number, Func<Actor, Release, Task<(string Text, bool IsError)>> act, CancellationToken cancellationToken)
    {
        if (await actors.ResolveAsync(HttpContext, cancellationToken) is not { } actor || await desk.FindAsync(number, cancellationToken) is not { } release)
        {
            return NotFound();
        }
        try
        {
            var (text, isError) = await act(actor, release);
            TempData.Tell(text, isError);
        }
        catch (ReleaseRefusedException e)
        {
            TempData.Tell($"{e.Title}: {e.Message}", isError: true);
        }
        return LocalRedirect($"/releases/{number}");
    }
}
