using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Severity = Midrc.Curation.Findings.Severity;

namespace Midrc.Orchestrator.Dashboard;

/// <summary>
/// One site's progress, counted in exams (studies): requested by open data requests, received, passed QA
/// (no open blocking QA, clinical or parse finding on the study or its whole submission), verified
/// (out of quarantine), published (in a published release).
/// </summary>
public sealed record SiteProgress(
    Guid Id, string Code, string Name, string Country, SiteStage Stage, DateTimeOffset StageSince, int TargetExams,
    int Requested, int Received, int PassedQa, int Verified, int Published, int OpenFindings, int OpenErrors, int OverdueRequests)
{
    /// <summary>Published exams as a share of the site's target, 0–100.</summary>
    public int PercentOfTarget => TargetExams <= 0 ? 0 : (int)Math.Min(100, Math.Round(100.0 * Published / TargetExams));
}

/// <summary>Exams received and published up to and including a day, for the cumulative chart.</summary>
public sealed record CumulativePoint(DateOnly Day, int Received, int Published);

/// <summary>The program at a glance.</summary>
public sealed record ProgramOverview(IReadOnlyList<SiteProgress> Sites, IReadOnlyList<CumulativePoint> Cumulative)
{
    public int Total(Func<SiteProgress, int> count) => Sites.Sum(count);
}

/// <summary>The counts behind the dashboard and the site pages, always for the sites the viewer may see.</summary>
public sealed class ProgramProgress(MidrcDbContext db, TimeProvider clock)
{
    internal static readonly FindingStatus[] OpenStatuses = [FindingStatus.Open, FindingStatus.WaiverRequested];
    private static readonly SolicitationStatus[] ClosedRequests = [SolicitationStatus.Draft, SolicitationStatus.Fulfilled, SolicitationStatus.Closed];

    /// <summary>Every site the user may see, with its progress, and the program's cumulative exams.</summary>
    public Task<ProgramOverview> OverviewAsync(ClaimsPrincipal user, CancellationToken cancellationToken) =>
        OverviewAsync(db.Sites.VisibleTo(user), cancellationToken);

    /// <summary>The progress of one site the caller has already found visible.</summary>
    public async Task<SiteProgress> OfSiteAsync(Site site, CancellationToken cancellationToken) =>
        (await OverviewAsync(db.Sites.Where(s => s.Id == site.Id), cancellationToken)).Sites.Single();

    private async Task<ProgramOverview> OverviewAsync(IQueryable<Site> visible, CancellationToken cancellationToken)
    {
        var sites = await visible.AsNoTracking().OrderBy(s => s.Code).ToListAsync(cancellationToken);
        var ids = sites.Select(s => s.Id).ToList();
        var now = clock.GetUtcNow();

        var requests = await db.Solicitations.AsNoTracking()
            .Where(r => ids.Contains(r.SiteId) && !ClosedRequests.Contains(r.Status))
            .Select(r => new { r.SiteId, r.RequestedExams, r.DueAt })
            .ToListAsync(cancellationToken);
        // One row per study and submission (not per file), so the count stays small at millions of files.
        var received = await db.Instances.AsNoTracking()
            .Where(i => ids.Contains(i.Series!.Study!.SiteId))
            .Select(i => new { i.Series!.Study!.SiteId, i.Series.StudyId, i.Series.Study.StudyInstanceUid, i.SubmissionId, Verified = i.QuarantineState == QuarantineState.Verified })
            .Distinct()
            .ToListAsync(cancellationToken);
        var submissionDates = await db.Submissions.AsNoTracking()
            .Where(s => ids.Contains(s.SiteId))
            .ToDictionaryAsync(s => s.Id, s => s.StartedAt, cancellationToken);
        var published = await db.ReleaseItems.AsNoTracking()
            .Where(ri => ri.Release!.State == ReleaseState.Published && ids.Contains(ri.Instance!.Series!.Study!.SiteId))
            .Select(ri => new { ri.Instance!.Series!.StudyId, ri.ReleaseId })
            .Distinct()
            .ToListAsync(cancellationToken);
        var releaseDates = await db.Releases.AsNoTracking()
            .Where(r => r.State == ReleaseState.Published)
            .ToDictionaryAsync(r => r.Id, r => r.PublishedAt ?? r.CreatedAt, cancellationToken);
        var findings = await db.Findings.AsNoTracking()
            .Where(f => ids.Contains(f.SiteId) && OpenStatuses.Contains(f.Status))
            .Select(f => new { f.SiteId, f.SubmissionId, f.StudyInstanceUid, f.Severity, f.Rule })
            .ToListAsync(cancellationToken);

        var blocking = findings.Where(f => f.Severity == Severity.Error && !f.Rule.StartsWith("deid.", StringComparison.Ordinal)).ToList();
        bool Blocked(Guid submissionId, string studyUid) =>
            blocking.Any(f => f.SubmissionId == submissionId && (f.StudyInstanceUid.Length == 0 || f.StudyInstanceUid == studyUid));
        var publishedStudies = published.Select(p => p.StudyId).ToHashSet();
        var studies = received.GroupBy(r => r.StudyId).Select(g => new
        {
            StudyId = g.Key,
            g.First().SiteId,
            PassedQa = g.Any(r => !Blocked(r.SubmissionId, r.StudyInstanceUid)),
            Verified = g.Any(r => r.Verified),
            Published = publishedStudies.Contains(g.Key),
        }).ToList();

        var progress = sites.Select(s => new SiteProgress(
            s.Id, s.Code, s.Name, s.Country, s.Stage, s.StageChangedAt, s.TargetExams,
            Requested: requests.Where(r => r.SiteId == s.Id).Sum(r => r.RequestedExams),
            Received: studies.Count(x => x.SiteId == s.Id),
            PassedQa: studies.Count(x => x.SiteId == s.Id && x.PassedQa),
            Verified: studies.Count(x => x.SiteId == s.Id && x.Verified),
            Published: studies.Count(x => x.SiteId == s.Id && x.Published),
            OpenFindings: findings.Count(f => f.SiteId == s.Id),
            OpenErrors: findings.Count(f => f.SiteId == s.Id && f.Severity == Severity.Error),
            OverdueRequests: requests.Count(r => r.SiteId == s.Id && r.DueAt < now))).ToList();

        var firstReceived = received.GroupBy(r => r.StudyId).Select(g => g.Min(r => submissionDates[r.SubmissionId]));
        var firstPublished = published.GroupBy(p => p.StudyId).Select(g => g.Min(p => releaseDates[p.ReleaseId]));
        return new ProgramOverview(progress, Cumulate(firstReceived, firstPublished));
    }

    /// <summary>Running totals per day on which anything was received or published.</summary>
    private static List<CumulativePoint> Cumulate(IEnumerable<DateTimeOffset> received, IEnumerable<DateTimeOffset> published)
    {
        var receivedDays = received.Select(d => DateOnly.FromDateTime(d.UtcDateTime)).ToList();
        var publishedDays = published.Select(d => DateOnly.FromDateTime(d.UtcDateTime)).ToList();
        return [.. receivedDays.Concat(publishedDays).Distinct().Order()
            .Select(day => new CumulativePoint(day, receivedDays.Count(d => d <= day), publishedDays.Count(d => d <= day)))];
    }
}
