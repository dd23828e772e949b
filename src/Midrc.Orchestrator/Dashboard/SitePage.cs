using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Qa;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Severity = Midrc.Curation.Findings.Severity;

namespace Midrc.Orchestrator.Dashboard;

/// <summary>A data request as a site's page lists it.</summary>
public sealed record RequestRow(
    Guid Id, string Title, string Modalities, int RequestedExams, string Criteria, DateTimeOffset DueAt, SolicitationStatus Status, bool IsOpen, bool IsOverdue);

/// <summary>The open findings of one rule in one submission: what is wrong, how to fix it, and where.</summary>
public sealed record FindingGroup(string Rule, Severity Severity, int Count, int WaiverRequested, string Message, string Hint, IReadOnlyList<string> Examples);

/// <summary>A submission with its open findings grouped by rule, errors first.</summary>
public sealed record SubmissionRow(
    Guid Id, SubmissionChannel Channel, SubmissionStatus Status, DateTimeOffset StartedAt, string SubmittedBy, int Files, int? DeclaredFiles, IReadOnlyList<FindingGroup> Findings)
{
    public int OpenErrors => Findings.Where(f => f.Severity == Severity.Error).Sum(f => f.Count);
    public int OpenWarnings => Findings.Where(f => f.Severity == Severity.Warning).Sum(f => f.Count);
}

/// <summary>Someone with a role at the site.</summary>
public sealed record PersonRow(string Name, string Email, string TimeZone, bool IsActive);

/// <summary>Everything a site's page shows.</summary>
public sealed record SiteDetail(Site Site, SiteProgress Progress, IReadOnlyList<RequestRow> Requests, IReadOnlyList<SubmissionRow> Submissions, IReadOnlyList<PersonRow> People);

/// <summary>Reads a site's page for a site the caller found with <see cref="MidrcUser.FindVisibleSiteAsync"/>.</summary>
public sealed class SitePage(MidrcDbContext db, ProgramProgress progress, TimeProvider clock)
{
    private const int ExamplesPerGroup = 5;

    public async Task<SiteDetail> ReadAsync(Site site, CancellationToken cancellationToken)
    {
        var submissions = await db.Submissions.AsNoTracking().Where(s => s.SiteId == site.Id).ToListAsync(cancellationToken);
        var files = await db.Instances.AsNoTracking()
            .Where(i => i.Submission!.SiteId == site.Id)
            .GroupBy(i => i.SubmissionId)
            .Select(g => new { SubmissionId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.SubmissionId, g => g.Count, cancellationToken);
        var findings = await db.Findings.AsNoTracking()
            .Where(f => f.SiteId == site.Id && ProgramProgress.OpenStatuses.Contains(f.Status))
            .ToListAsync(cancellationToken);
        var people = await db.RoleAssignments.AsNoTracking()
            .Where(r => r.SiteId == site.Id && r.Role == Role.SiteCoordinator)
            .Select(r => r.Person!)
            .ToListAsync(cancellationToken);

        var requestRows = await RequestsAsync(site, cancellationToken);
        var submissionRows = submissions
            .OrderByDescending(s => s.StartedAt)
            .Select(s => new SubmissionRow(s.Id, s.Channel, s.Status, s.StartedAt, s.SubmittedBy, files.GetValueOrDefault(s.Id), s.DeclaredFiles, Group(findings.Where(f => f.SubmissionId == s.Id))))
            .ToList();
        var personRows = people.OrderBy(p => p.DisplayName).Select(p => new PersonRow(p.DisplayName, p.Email, p.TimeZone, p.IsActive)).ToList();
        return new SiteDetail(site, await progress.OfSiteAsync(site, cancellationToken), requestRows, submissionRows, personRows);
    }

    /// <summary>The site's data requests, open ones first, then by due date.</summary>
    public async Task<List<RequestRow>> RequestsAsync(Site site, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var requests = await db.Solicitations.AsNoTracking().Where(r => r.SiteId == site.Id).ToListAsync(cancellationToken);
        return [.. requests
            .Select(r =>
            {
                var open = r.Status is not (SolicitationStatus.Draft or SolicitationStatus.Fulfilled or SolicitationStatus.Closed);
                return new RequestRow(r.Id, r.Title, r.Modalities, r.RequestedExams, r.InclusionCriteria, r.DueAt, r.Status, open, open && r.DueAt < now);
            })
            .OrderByDescending(r => r.IsOpen).ThenBy(r => r.DueAt)];
    }

    private static List<FindingGroup> Group(IEnumerable<QaFinding> findings) =>
        [.. findings
            .GroupBy(f => (f.Rule, f.Severity))
            .Select(g =>
            {
                var first = g.OrderBy(f => f.File, StringComparer.Ordinal).First();
                var examples = g.Select(Where).Where(w => w.Length > 0).Distinct().Order(StringComparer.Ordinal).Take(ExamplesPerGroup).ToList();
                return new FindingGroup(g.Key.Rule, g.Key.Severity, g.Count(), g.Count(f => f.Status == FindingStatus.WaiverRequested), first.Message, first.Hint, examples);
            })
            .OrderBy(g => g.Severity == Severity.Error ? 0 : 1).ThenByDescending(g => g.Count).ThenBy(g => g.Rule, StringComparer.Ordinal)];

    /// <summary>File and attribute; empty for a finding about the whole submission.</summary>
    private static string Where(QaFinding f) =>
        string.Join(" · ", new[] { f.File == SubmissionChecker.SubmissionFile ? "" : f.File, f.Keyword.Length > 0 ? $"{f.Keyword} {f.Tag}".Trim() : f.Tag }.Where(part => part.Length > 0));
}
