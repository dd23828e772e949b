using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Releases;

/// <summary>
/// Release emails, through the outbox with one idempotency key per release, template and person: coordinators of every
/// site with data in a published release get their site's counts; program managers get the result (published or failed).
/// </summary>
public sealed class ReleaseNotifier(MidrcDbContext db, Outbox outbox, WorkflowLibrary library, TimeProvider clock)
{
    public const string PublishedTemplate = "release-published";
    public const string SummaryTemplate = "release-published-summary";
    public const string FailedTemplate = "release-failed";

    /// <summary>Marks the release published and writes its emails, in one transaction: a rerun finds both done.</summary>
    public async Task PublishedAsync(Release release, CancellationToken cancellationToken)
    {
        var bySite = await db.ReleaseItems.Where(i => i.ReleaseId == release.Id && i.Change != ReleaseChange.Withdrawn)
            .GroupBy(i => i.SiteId).Select(g => new { SiteId = g.Key, Objects = g.Count(), Exams = g.Select(i => i.StudyInstanceUid).Distinct().Count() })
            .ToListAsync(cancellationToken);
        var sites = await db.Sites.AsNoTracking().Where(s => s.ProgramId == release.ProgramId).ToDictionaryAsync(s => s.Id, cancellationToken);
        var programName = await ProgramNameAsync(release, cancellationToken);
        var name = release.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var site in bySite)
        {
            foreach (var person in await PeopleAsync(Role.SiteCoordinator, site.SiteId, cancellationToken))
            {
                Enqueue(release, PublishedTemplate, person, new EmailModel
                {
                    ProgramName = programName,
                    Site = new EmailSite(sites[site.SiteId].Name, sites[site.SiteId].Code),
                    Release = new EmailRelease(name),
                    Counts = new EmailCounts { Exams = site.Exams, Files = site.Objects, Sites = bySite.Count },
                    ActionPath = $"/api/releases/{release.Number}",
                }, site.SiteId);
            }
        }

        foreach (var person in await PeopleAsync(Role.ProgramManager, null, cancellationToken))
        {
            Enqueue(release, SummaryTemplate, person, new EmailModel
            {
                ProgramName = programName,
                Release = new EmailRelease(name),
                Counts = new EmailCounts { Exams = bySite.Sum(s => s.Exams), Files = bySite.Sum(s => s.Objects), Sites = bySite.Count },
                ActionPath = $"/api/releases/{release.Number}",
            }, null);
        }

        var tracked = await db.Releases.SingleAsync(r => r.Id == release.Id, cancellationToken);
        tracked.BuildStep = ReleaseBuildStep.Published;
        tracked.PublishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    /// <summary>Tells program managers why the release failed.</summary>
    public async Task FailedAsync(Release release, CancellationToken cancellationToken)
    {
        var programName = await ProgramNameAsync(release, cancellationToken);
        foreach (var person in await PeopleAsync(Role.ProgramManager, null, cancellationToken))
        {
            Enqueue(release, FailedTemplate, person, new EmailModel
            {
                ProgramName = programName,
                Release = new EmailRelease(release.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), release.FailureReason),
                ActionPath = $"/api/releases/{release.Number}",
            }, null);
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    private void Enqueue(Release release, string template, Person person, EmailModel model, Guid? siteId)
    {
        var key = $"release:{release.Id:N}:{release.BuildStep}:{template}:{person.Id:N}";
        if (!db.Outbox.Any(m => m.IdempotencyKey == key))
        {
            outbox.Enqueue(person, key, library.FindTemplate(template) ?? throw new InvalidOperationException($"The email template '{template}' is missing from workflows/templates/."), model, siteId);
        }
    }

    private Task<string> ProgramNameAsync(Release release, CancellationToken cancellationToken) =>
        db.Programs.Where(p => p.Id == release.ProgramId).Select(p => p.Name).SingleAsync(cancellationToken);

    private Task<List<Person>> PeopleAsync(Role role, Guid? siteId, CancellationToken cancellationToken) =>
        db.People.AsNoTracking().Where(p => p.IsActive && p.Roles.Any(r => r.Role == role && (siteId == null || r.SiteId == siteId)))
            .OrderBy(p => p.Email).ToListAsync(cancellationToken);
}
