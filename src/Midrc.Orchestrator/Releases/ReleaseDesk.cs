using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

/// <summary>A release request that cannot be done, with the HTTP status it maps to and a sentence for the program manager.</summary>
public sealed class ReleaseRefusedException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>How many exams and objects of one modality a site has in a release (or, while it is open, would have).</summary>
public sealed record ModalityCount(string Site, string Modality, int Exams, int Objects);

/// <summary>
/// One exam in a release: its change relative to the previous release (null while the release is open and the exam only
/// a candidate), and whether it is in the sequestered part.
/// </summary>
public sealed record ReleaseExam(string Site, string CaseId, string StudyInstanceUid, IReadOnlyList<string> Modalities, int Objects, ReleaseChange? Change, bool Sequestered);

/// <summary>What a release holds, as its page shows it: counts by site and modality, and the exams (the first <see cref="ReleaseDesk.ExamsShown"/>).</summary>
public sealed record ReleaseContents(IReadOnlyList<ModalityCount> Counts, IReadOnlyList<ReleaseExam> Exams, int TotalExams);

/// <summary>
/// What program managers do with releases, for the API and the release pages alike: list them, read one, freeze the
/// open one now, move one along its workflow (hold, approve, reopen), and keep exams out of the open one. A coordinator
/// reads only their own site's counts and changes nothing. Every change is audited (exclusions here, transitions by the
/// workflow runtime).
/// </summary>
public sealed class ReleaseDesk(
    MidrcDbContext db,
    ReleaseCalendar calendar,
    ReleaseBuilder builder,
    WorkflowRuntime runtime,
    WorkflowDefinitions definitions,
    AuditTrail audit,
    TimeProvider clock,
    IOptions<ReleaseOptions> options)
{
    /// <summary>The most exams a release page lists.</summary>
    public const int ExamsShown = 500;

    private const int ReleasesListed = 200;

    public async Task<List<ReleaseSummary>> ListAsync(Actor actor, CancellationToken cancellationToken)
    {
        var releases = await db.Releases.AsNoTracking().OrderByDescending(r => r.Number).Take(ReleasesListed).ToListAsync(cancellationToken);
        var result = new List<ReleaseSummary>();
        foreach (var release in releases)
        {
            result.Add(Summarize(release, await SiteCountsAsync(release.Id, actor, cancellationToken)));
        }
        return result;
    }

    /// <summary>Release <paramref name="number"/> of the program, or null.</summary>
    public Task<Release?> FindAsync(int number, CancellationToken cancellationToken) =>
        db.Releases.AsNoTracking().OrderBy(r => r.ProgramId).FirstOrDefaultAsync(r => r.Number == number, cancellationToken);

    /// <summary>The program's current release (opened when there is none): the one the schedule freezes next.</summary>
    public async Task<Release> CurrentAsync(CancellationToken cancellationToken) =>
        await calendar.EnsureCurrentAsync(await ProgramIdAsync(cancellationToken), cancellationToken);

    public async Task<ReleaseDetail?> DetailAsync(int number, Actor actor, CancellationToken cancellationToken)
    {
        if (await FindAsync(number, cancellationToken) is not { } release)
        {
            return null;
        }

        var items = db.ReleaseItems.Where(i => i.ReleaseId == release.Id && (actor.IsProgramManager || actor.CoordinatedSites.Contains(i.SiteId)));
        var changes = await items.GroupBy(i => i.Change).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var sequestered = await items.CountAsync(i => i.Sequestered && i.Change != ReleaseChange.Withdrawn, cancellationToken);
        int? candidates = release.State == ReleaseState.Open && actor.IsProgramManager ? await builder.Candidates(release.ProgramId, release.Id).CountAsync(cancellationToken) : null;
        var exclusions = actor.IsProgramManager
            ? await db.ReleaseExclusions.AsNoTracking().Where(x => x.ReleaseId == release.Id).OrderBy(x => x.ExcludedAt)
                .Select(x => new ExclusionLine(x.Study!.Site!.Code, x.Study.StudyInstanceUid, x.ExcludedBy, x.Reason, x.ExcludedAt)).ToListAsync(cancellationToken)
            : [];
        var sites = await SiteCountsAsync(release.Id, actor, cancellationToken);
        int Count(ReleaseChange change) => changes.SingleOrDefault(c => c.Key == change)?.Count ?? 0;
        return new ReleaseDetail(Summarize(release, sites), release.BuildStep.ToString(), release.FailureReason, release.ManifestSha256,
            Count(ReleaseChange.Added), Count(ReleaseChange.Corrected), Count(ReleaseChange.Withdrawn), sequestered, candidates, sites, exclusions);
    }

    /// <summary>
    /// The steps from freeze to publication as a program manager follows them: done, under way, failed or to come. Empty
    /// while the release is open or held, and once it is published.
    /// </summary>
    public static IReadOnlyList<BuildProgress> Progress(Release release, bool requireApproval)
    {
        if (release.State is ReleaseState.Open or ReleaseState.Held or ReleaseState.Published)
        {
            return [];
        }
        List<(string Step, bool Done)> steps =
        [
            ("Collect the accepted exams", release.BuildStep >= ReleaseBuildStep.Collected),
            ("Copy every object to the staging folder and write the metadata", release.BuildStep >= ReleaseBuildStep.Staged),
            ("Check every object again (checksum and de-identification) and write the manifests", release.BuildStep >= ReleaseBuildStep.Verified),
        ];
        if (requireApproval)
        {
            steps.Add(("Approval by a program manager", release.State == ReleaseState.Publishing));
        }
        steps.Add(("Publish the package and tell the sites", false));
        var current = steps.FindIndex(s => !s.Done);
        var stopped = release.State == ReleaseState.Failed ? BuildStepStatus.Failed : BuildStepStatus.Current;
        return [.. steps.Select((s, i) => new BuildProgress(s.Step, s.Done ? BuildStepStatus.Done : i == current ? stopped : BuildStepStatus.Waiting))];
    }

    /// <summary>True while a build step is running in the background (not when it waits for a person).</summary>
    public static bool IsBuilding(Release release) => release.State is ReleaseState.Frozen or ReleaseState.Verifying or ReleaseState.Publishing;

    /// <summary>True until a release's items are collected at freeze (again after it is reopened): its exams are then the candidates.</summary>
    public static bool IsCollecting(Release release) => release.BuildStep == ReleaseBuildStep.None;

    /// <summary>A release state as people read it, in the workflow's words ("On hold").</summary>
    public static string StateName(ReleaseState state) => state == ReleaseState.Held ? "On hold" : state.ToString();

    /// <summary>
    /// For program managers: the exams of a release by site and modality, and the exams themselves; until it has
    /// frozen, the exams it would take if it froze now.
    /// </summary>
    public async Task<ReleaseContents> ContentsAsync(Release release, CancellationToken cancellationToken)
    {
        var rows = IsCollecting(release)
            ? await builder.Candidates(release.ProgramId, release.Id)
                .GroupBy(i => new { Site = i.Series!.Study!.Site!.Code, CaseId = i.Series.Study.PatientPseudonym, i.Series.Study.StudyInstanceUid, i.Series.Modality })
                .Select(g => new ExamRow(g.Key.Site, g.Key.CaseId, g.Key.StudyInstanceUid, g.Key.Modality, null, false, g.Count()))
                .ToListAsync(cancellationToken)
            : await db.ReleaseItems.Where(i => i.ReleaseId == release.Id)
                .GroupBy(i => new { i.SiteCode, i.CaseId, i.StudyInstanceUid, i.Modality, i.Change, i.Sequestered })
                .Select(g => new ExamRow(g.Key.SiteCode, g.Key.CaseId, g.Key.StudyInstanceUid, g.Key.Modality, g.Key.Change, g.Key.Sequestered, g.Count()))
                .ToListAsync(cancellationToken);

        var counts = rows.Where(r => r.Change != ReleaseChange.Withdrawn)
            .GroupBy(r => (r.Site, r.Modality))
            .Select(g => new ModalityCount(g.Key.Site, g.Key.Modality, g.Select(r => r.StudyInstanceUid).Distinct().Count(), g.Sum(r => r.Objects)))
            .OrderBy(c => c.Site, StringComparer.Ordinal).ThenBy(c => c.Modality, StringComparer.Ordinal)
            .ToList();
        var exams = rows.GroupBy(r => (r.Site, r.CaseId, r.StudyInstanceUid))
            .Select(g => new ReleaseExam(g.Key.Site, g.Key.CaseId, g.Key.StudyInstanceUid,
                g.Select(r => r.Modality).Distinct().Order(StringComparer.Ordinal).ToList(), g.Sum(r => r.Objects),
                g.Min(r => r.Change), g.Any(r => r.Sequestered)))
            .OrderBy(e => e.Site, StringComparer.Ordinal).ThenBy(e => e.CaseId, StringComparer.Ordinal).ThenBy(e => e.StudyInstanceUid, StringComparer.Ordinal)
            .ToList();
        return new ReleaseContents(counts, exams.Take(ExamsShown).ToList(), exams.Count);
    }

    /// <summary>The release's workflow steps <paramref name="viewer"/> may take now, and the others with why not.</summary>
    public async Task<WorkflowActions> ActionsAsync(Release release, Actor viewer, CancellationToken cancellationToken)
    {
        var instance = await db.WorkflowInstances.AsNoTracking().SingleAsync(i => i.DefinitionId == "release" && i.SubjectId == release.Id, cancellationToken);
        return WorkflowActions.For(instance, viewer, definitions, runtime);
    }

    /// <summary>When the schedule freezes the open release next, or null when the schedule never fires again.</summary>
    public DateTimeOffset? NextScheduledFreeze()
    {
        var settings = options.Value;
        return settings.Cron().GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone));
    }

    /// <summary>Freezes the open release now, instead of waiting for the schedule.</summary>
    public async Task<ReleaseSummary> FreezeNowAsync(Actor actor, string idempotencyKey, CancellationToken cancellationToken)
    {
        ProgramManagersOnly(actor);
        var release = await CurrentOpenAsync(cancellationToken)
            ?? throw new ReleaseRefusedException(StatusCodes.Status422UnprocessableEntity, "No open release", "The current release is already frozen, being built or awaiting approval; it can be frozen again only after it is reopened.");
        var result = await FireAsync(release, "freeze", actor, idempotencyKey, null, cancellationToken);
        if (result.Outcome is not (FireOutcome.Fired or FireOutcome.Replayed))
        {
            throw new ReleaseRefusedException(StatusCodes.Status409Conflict, "Not frozen", result.Message);
        }
        return Summarize(await db.Releases.AsNoTracking().SingleAsync(r => r.Id == release.Id, cancellationToken), []);
    }

    /// <summary>
    /// Fires one of the release workflow's triggers (freeze, hold, approve, reopen) as <paramref name="actor"/>; the
    /// workflow decides who may, and audits it. Freezing asks first that there is something to release.
    /// </summary>
    public async Task<FireResult> FireAsync(Release release, string trigger, Actor actor, string idempotencyKey, string? reason, CancellationToken cancellationToken)
    {
        if (trigger == "freeze" && !await builder.Candidates(release.ProgramId, release.Id).AnyAsync(cancellationToken))
        {
            throw new ReleaseRefusedException(StatusCodes.Status422UnprocessableEntity, "Nothing to release", "No exam has been accepted since the previous release (or every one is excluded); there is nothing to freeze.");
        }
        var instance = await calendar.InstanceOfAsync(release.Id, cancellationToken);
        var key = idempotencyKey[..Math.Min(idempotencyKey.Length, WorkflowRuntime.MaxKeyLength)];
        return await runtime.FireAsync(new FireRequest(instance, trigger, actor, key) { Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim() }, cancellationToken);
    }

    /// <summary>Keeps an exam out of the open release, with a reason; it waits for a later release.</summary>
    public async Task<ExclusionLine> ExcludeAsync(Actor actor, ExclusionBody body, CancellationToken cancellationToken)
    {
        ProgramManagersOnly(actor);
        if (string.IsNullOrWhiteSpace(body.Site) || string.IsNullOrWhiteSpace(body.StudyInstanceUid) || string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > MidrcDbContext.ReasonLength)
        {
            throw new ReleaseRefusedException(StatusCodes.Status400BadRequest, "Say which exam and why",
                $"Give the site's code, the exam's Study Instance UID and a reason (at most {MidrcDbContext.ReasonLength} characters), e.g. {{\"site\": \"UCH\", \"studyInstanceUid\": \"1.2.3\", \"reason\": \"Consent in question\"}}.");
        }

        var release = await CurrentOpenAsync(cancellationToken)
            ?? throw new ReleaseRefusedException(StatusCodes.Status422UnprocessableEntity, "The release is frozen", "Exams can be excluded only while the release is open; it has frozen already. Put it on hold and reopen it to change its contents.");
        var study = await db.Studies.AsNoTracking().Where(s => s.Site!.Code == body.Site && s.StudyInstanceUid == body.StudyInstanceUid && s.Site.ProgramId == release.ProgramId).Select(s => new { s.Id, s.SiteId }).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ReleaseRefusedException(StatusCodes.Status404NotFound, "No such exam", $"Site {body.Site} has no exam with Study Instance UID {body.StudyInstanceUid}.");
        if (await db.ReleaseExclusions.AnyAsync(x => x.ReleaseId == release.Id && x.StudyId == study.Id, cancellationToken))
        {
            throw new ReleaseRefusedException(StatusCodes.Status409Conflict, "Already excluded", "This exam is already excluded from the open release.");
        }

        var exclusion = new ReleaseExclusion { ReleaseId = release.Id, StudyId = study.Id, ExcludedBy = actor.Name, Reason = body.Reason.Trim(), ExcludedAt = clock.GetUtcNow() };
        db.ReleaseExclusions.Add(exclusion);
        audit.Record(actor.Name, "release.exam-excluded", nameof(Release), release.Id.ToString(), study.SiteId, new { body.StudyInstanceUid, exclusion.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return new ExclusionLine(body.Site, body.StudyInstanceUid, actor.Name, exclusion.Reason, exclusion.ExcludedAt);
    }

    /// <summary>Takes an exam's exclusion from the open release back.</summary>
    public async Task IncludeAsync(Actor actor, string site, string studyInstanceUid, CancellationToken cancellationToken)
    {
        ProgramManagersOnly(actor);
        var release = await CurrentOpenAsync(cancellationToken)
            ?? throw new ReleaseRefusedException(StatusCodes.Status422UnprocessableEntity, "The release is frozen", "Exclusions can be taken back only while the release is open.");
        var exclusion = await db.ReleaseExclusions.Include(x => x.Study).SingleOrDefaultAsync(x => x.ReleaseId == release.Id && x.Study!.StudyInstanceUid == studyInstanceUid && x.Study.Site!.Code == site, cancellationToken)
            ?? throw new ReleaseRefusedException(StatusCodes.Status404NotFound, "Not excluded", $"Exam {studyInstanceUid} of site {site} is not excluded from the open release.");
        db.ReleaseExclusions.Remove(exclusion);
        audit.Record(actor.Name, "release.exam-included", nameof(Release), release.Id.ToString(), exclusion.Study!.SiteId, new { studyInstanceUid });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void ProgramManagersOnly(Actor actor)
    {
        if (!actor.IsProgramManager)
        {
            throw new ReleaseRefusedException(StatusCodes.Status403Forbidden, "Not allowed", "Only a program manager can change what goes into a release.");
        }
    }

    private async Task<Guid> ProgramIdAsync(CancellationToken cancellationToken) =>
        await db.Programs.OrderBy(p => p.CreatedAt).Select(p => p.Id).FirstAsync(cancellationToken);

    private async Task<Release?> CurrentOpenAsync(CancellationToken cancellationToken)
    {
        var release = await CurrentAsync(cancellationToken);
        return release.State == ReleaseState.Open ? release : null;
    }

    private async Task<List<SiteCount>> SiteCountsAsync(Guid releaseId, Actor actor, CancellationToken cancellationToken) =>
        (await db.ReleaseItems.Where(i => i.ReleaseId == releaseId && i.Change != ReleaseChange.Withdrawn && (actor.IsProgramManager || actor.CoordinatedSites.Contains(i.SiteId)))
            .GroupBy(i => i.SiteCode).Select(g => new { Site = g.Key, Exams = g.Select(i => i.StudyInstanceUid).Distinct().Count(), Objects = g.Count() })
            .ToListAsync(cancellationToken)).OrderBy(s => s.Site, StringComparer.Ordinal).Select(s => new SiteCount(s.Site, s.Exams, s.Objects)).ToList();

    private static ReleaseSummary Summarize(Release r, List<SiteCount> sites) =>
        new(r.Number, r.Title, r.State.ToString(), r.FrozenAt, r.PublishedAt, sites.Sum(s => s.Exams), sites.Sum(s => s.Objects));

    private sealed record ExamRow(string Site, string CaseId, string StudyInstanceUid, string Modality, ReleaseChange? Change, bool Sequestered, int Objects);
}
