using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Clinical;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Pages.Submissions;

/// <summary>
/// A submission's findings report: grouped by rule, then study and series, with how to fix each and where it stands.
/// The site's coordinators ask for waivers and upload corrected files here; program managers decide on waivers and on
/// files flagged for review. Another site's submission answers 404.
/// </summary>
[Authorize(Policy = MidrcPolicies.SiteCoordinator)]
public sealed class ReportModel(MidrcDbContext db, FixLoop loop, SubmissionReports reports, SubmissionIntake intake, ActorResolver actors) : PageModel
{
    public SubmissionReport Report { get; private set; } = null!;

    /// <summary>True when the viewer coordinates the submission's site (and so may ask for waivers and upload).</summary>
    public bool IsCoordinator { get; private set; }

    public bool IsProgramManager { get; private set; }

    /// <summary>True while the site is asked for fixes: corrected files are taken and waivers may be asked.</summary>
    public bool InFixLoop => Report.Status == nameof(SubmissionStatus.AwaitingFixes);

    [TempData]
    public string? Message { get; set; }

    [TempData]
    public string? Problem { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await VisibleAsync(id, cancellationToken) is not var (actor, submission))
        {
            return NotFound();
        }
        IsCoordinator = actor.CoordinatedSites.Contains(submission.SiteId);
        IsProgramManager = actor.IsProgramManager;
        Report = await reports.BuildAsync(submission, cancellationToken);
        return Page();
    }

    public Task<IActionResult> OnPostWaiverAsync(Guid id, string rule, string? reason, CancellationToken cancellationToken) =>
        ActAsync(id, async (actor, submission) =>
            (await loop.RequestWaiverAsync(actor, submission, new FindingsDecision(await IdsAsync(submission, rule, FindingStatusFilter.OpenErrors, cancellationToken), reason), cancellationToken)).Message,
            cancellationToken);

    public Task<IActionResult> OnPostGrantAsync(Guid id, string rule, string? reason, CancellationToken cancellationToken) =>
        DecideAsync(id, rule, reason, grant: true, cancellationToken);

    public Task<IActionResult> OnPostRefuseAsync(Guid id, string rule, string? reason, CancellationToken cancellationToken) =>
        DecideAsync(id, rule, reason, grant: false, cancellationToken);

    public Task<IActionResult> OnPostReviewAsync(Guid id, Guid instanceId, string? outcome, string? reason, CancellationToken cancellationToken) =>
        ActAsync(id, async (actor, submission) => (await loop.ReviewAsync(actor, submission, new ReviewDecision([instanceId], outcome, reason), cancellationToken)).Message, cancellationToken);

    /// <summary>Corrected DICOM files, and clinical CSVs named after their node (<c>case.csv</c>, ...), as the next round; then checks them.</summary>
    public Task<IActionResult> OnPostUploadAsync(Guid id, List<IFormFile> files, CancellationToken cancellationToken) =>
        ActAsync(id, async (actor, visible) =>
        {
            if (!actor.CoordinatedSites.Contains(visible.SiteId))
            {
                throw new IntakeException(StatusCodes.Status403Forbidden, "Not allowed", "Only the site's coordinators upload corrected files.");
            }
            if (files.Count == 0)
            {
                throw IntakeException.Invalid("Choose the corrected files to upload first.");
            }
            var site = await db.Sites.AsNoTracking().SingleAsync(s => s.Id == visible.SiteId, cancellationToken);
            var submission = await intake.FindAsync(site, id, cancellationToken);
            var stored = new List<ReceivedObject>();
            foreach (var file in files)
            {
                await using var content = file.OpenReadStream();
                if (ClinicalDictionary.Nodes.FirstOrDefault(n => ClinicalTemplates.FileName(n.Node).Equals(Path.GetFileName(file.FileName), StringComparison.OrdinalIgnoreCase)) is { } node)
                {
                    await intake.ReceiveClinicalAsync(submission, node.Node, content, file.FileName, cancellationToken);
                }
                else
                {
                    stored.Add(await intake.StoreAsync(submission, content, file.FileName, cancellationToken));
                }
            }
            await intake.AnalyzeAsync(submission, stored, SubmissionIntake.KeepAll, cancellationToken);
            await intake.CompleteAsync(submission, actor.Name, cancellationToken);
            return $"{files.Count} corrected file(s) received; they are checked now, and the findings below update when the checks finish.";
        }, cancellationToken);

    private Task<IActionResult> DecideAsync(Guid id, string rule, string? reason, bool grant, CancellationToken cancellationToken) =>
        ActAsync(id, async (actor, submission) =>
            (await loop.DecideWaiverAsync(actor, submission, new FindingsDecision(await IdsAsync(submission, rule, FindingStatusFilter.WaiverRequested, cancellationToken), reason), grant, cancellationToken)).Message,
            cancellationToken);

    /// <summary>Runs a decision for a submission the viewer may see, then shows the report again with what happened.</summary>
    private async Task<IActionResult> ActAsync(Guid id, Func<Actor, Submission, Task<string>> act, CancellationToken cancellationToken)
    {
        if (await VisibleAsync(id, cancellationToken) is not var (actor, submission))
        {
            return NotFound();
        }
        try
        {
            Message = await act(actor, submission);
        }
        catch (IntakeException e)
        {
            Problem = e.Message;
        }
        return RedirectToPage(new { id });
    }

    private async Task<(Actor Actor, Submission Submission)?> VisibleAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await actors.ResolveAsync(HttpContext, cancellationToken) is not { } actor)
        {
            return null;
        }
        try
        {
            return (actor, await loop.FindAsync(actor, id, cancellationToken));
        }
        catch (IntakeException)
        {
            return null;
        }
    }

    private enum FindingStatusFilter
    {
        OpenErrors,
        WaiverRequested,
    }

    private async Task<IReadOnlyList<Guid>> IdsAsync(Submission submission, string rule, FindingStatusFilter filter, CancellationToken cancellationToken)
    {
        var report = await reports.BuildAsync(submission, cancellationToken);
        var group = report.Rules.FirstOrDefault(r => r.Rule == rule);
        return group is null ? [] : filter == FindingStatusFilter.OpenErrors ? group.OpenIds : group.WaiverRequestedIds;
    }
}
