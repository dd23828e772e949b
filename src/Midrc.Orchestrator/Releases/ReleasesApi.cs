using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

public sealed record ReleaseSummary(int Number, string Title, string State, DateTimeOffset? FrozenAt, DateTimeOffset? PublishedAt, int Exams, int Objects);

public sealed record SiteCount(string Site, int Exams, int Objects);

public sealed record ExclusionLine(string Site, string StudyInstanceUid, string ExcludedBy, string Reason, DateTimeOffset ExcludedAt);

public sealed record ReleaseDetail(ReleaseSummary Release, string? FailureReason, string? ManifestSha256, int Added, int Corrected, int Withdrawn, int Sequestered, int? CandidateObjects, IReadOnlyList<SiteCount> Sites, IReadOnlyList<ExclusionLine> Exclusions);

/// <summary>The body of <c>POST /api/releases/current/exclusions</c>: an exam (by site and Study Instance UID) and why.</summary>
public sealed record ExclusionBody(string? Site, string? StudyInstanceUid, string? Reason);

/// <summary>The body of <c>POST /api/withdrawals</c>: a site's patient (by pseudonym) and why.</summary>
public sealed record WithdrawalBody(string? Site, string? CaseId, string? Reason);

public sealed record WithdrawalLine(Guid Id, string Site, string CaseId, string Reason, string RecordedBy, DateTimeOffset RecordedAt, bool TakenEffect);

/// <summary>
/// <c>/api/releases</c> for program managers (coordinators see their own site's counts only): releases with counts,
/// excluding and including exams before freeze, "freeze now", withdrawals, and a published release's manifest and notes.
/// Quarantined files are never served here; only the manifest and notes of published releases are.
/// </summary>
public static class ReleasesApi
{
    public static IEndpointRouteBuilder MapReleasesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Releases").RequireAuthorization(MidrcPolicies.SignedIn);
        group.AddEndpointFilter(async (context, next) =>
        {
            var actor = await context.HttpContext.RequestServices.GetRequiredService<ActorResolver>().ResolveAsync(context.HttpContext, context.HttpContext.RequestAborted);
            if (actor is null)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first", detail: "Releases are shown only to people who are signed in.");
            }

            context.HttpContext.Items[typeof(Actor)] = actor;
            return await next(context);
        });
        group.MapGet("/releases", ListAsync).WithSummary("Lists releases, newest first, with exam and object counts (a coordinator's counts are their site's).");
        group.MapGet("/releases/{number:int}", GetAsync).WithSummary("One release: its state, changes, counts by site, exclusions, and what an open release would take now.");
        group.MapPost("/releases/current/freeze", FreezeNowAsync).WithSummary("Program managers: freezes the open release now instead of waiting for the schedule.");
        group.MapPost("/releases/current/exclusions", ExcludeAsync).WithSummary("Program managers: keeps an exam out of the open release, with a reason.");
        group.MapDelete("/releases/current/exclusions/{site}/{studyInstanceUid}", IncludeAsync).WithSummary("Program managers: takes an exam's exclusion back before freeze.");
        group.MapGet("/withdrawals", ListWithdrawalsAsync).WithSummary("Program managers: recorded withdrawals and whether a release has taken them into effect.");
        group.MapPost("/withdrawals", WithdrawAsync).WithSummary("Program managers: records that a site retracts a patient; effective in the next release.");
        group.MapGet("/releases/{number:int}/{file}", DownloadAsync).WithSummary("The manifest (file=manifest) or release notes (file=notes) of a published release.");
        return app;
    }

    private static Actor CurrentActor(HttpContext http) => (Actor)http.Items[typeof(Actor)]!;

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static ProblemHttpResult ProgramManagersOnly() =>
        Problem(StatusCodes.Status403Forbidden, "Not allowed", "Only a program manager can change what goes into a release.");

    private static async Task<Ok<List<ReleaseSummary>>> ListAsync(HttpContext http, MidrcDbContext db, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        var releases = await db.Releases.AsNoTracking().OrderByDescending(r => r.Number).Take(200).ToListAsync(cancellationToken);
        var result = new List<ReleaseSummary>();
        foreach (var release in releases)
        {
            var sites = await SiteCountsAsync(db, release.Id, actor, cancellationToken);
            result.Add(Summarize(release, sites));
        }

        return TypedResults.Ok(result);
    }

    private static async Task<Results<Ok<ReleaseDetail>, NotFound>> GetAsync(int number, HttpContext http, MidrcDbContext db, ReleaseBuilder builder, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        var release = await db.Releases.AsNoTracking().OrderBy(r => r.ProgramId).FirstOrDefaultAsync(r => r.Number == number, cancellationToken);
        if (release is null)
        {
            return TypedResults.NotFound();
        }

        var items = db.ReleaseItems.Where(i => i.ReleaseId == release.Id && (actor.IsProgramManager || actor.CoordinatedSites.Contains(i.SiteId)));
        var changes = await items.GroupBy(i => i.Change).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var sequestered = await items.CountAsync(i => i.Sequestered && i.Change != ReleaseChange.Withdrawn, cancellationToken);
        int? candidates = release.State == ReleaseState.Open && actor.IsProgramManager ? await builder.Candidates(release.ProgramId, release.Id).CountAsync(cancellationToken) : null;
        var exclusions = actor.IsProgramManager
            ? await db.ReleaseExclusions.AsNoTracking().Where(x => x.ReleaseId == release.Id).OrderBy(x => x.ExcludedAt)
                .Select(x => new ExclusionLine(x.Study!.Site!.Code, x.Study.StudyInstanceUid, x.ExcludedBy, x.Reason, x.ExcludedAt)).ToListAsync(cancellationToken)
            : [];
        var sites = await SiteCountsAsync(db, release.Id, actor, cancellationToken);
        int Count(ReleaseChange change) => changes.SingleOrDefault(c => c.Key == change)?.Count ?? 0;
        return TypedResults.Ok(new ReleaseDetail(Summarize(release, sites), release.FailureReason, release.ManifestSha256,
            Count(ReleaseChange.Added), Count(ReleaseChange.Corrected), Count(ReleaseChange.Withdrawn), sequestered, candidates, sites, exclusions));
    }

    private static async Task<Results<Ok<ReleaseSummary>, ProblemHttpResult>> FreezeNowAsync(HttpContext http, MidrcDbContext db, ReleaseCalendar calendar, ReleaseBuilder builder, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        if (!actor.IsProgramManager)
        {
            return ProgramManagersOnly();
        }

        var release = await CurrentOpenAsync(db, calendar, cancellationToken);
        if (release is null)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "No open release", "The current release is already frozen, being built or awaiting approval; it can be frozen again only after it is reopened.");
        }

        if (!await builder.Candidates(release.ProgramId, release.Id).AnyAsync(cancellationToken))
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "Nothing to release", "No exam has been accepted since the previous release (or every one is excluded); there is nothing to freeze.");
        }

        var key = http.Request.Headers["Idempotency-Key"].FirstOrDefault() ?? $"api:{Guid.NewGuid():N}";
        var result = await runtime.FireAsync(new FireRequest(await calendar.InstanceOfAsync(release.Id, cancellationToken), "freeze", actor, key[..Math.Min(key.Length, WorkflowRuntime.MaxKeyLength)]), cancellationToken);
        if (result.Outcome is not (FireOutcome.Fired or FireOutcome.Replayed))
        {
            return Problem(StatusCodes.Status409Conflict, "Not frozen", result.Message);
        }

        return TypedResults.Ok(Summarize(await db.Releases.AsNoTracking().SingleAsync(r => r.Id == release.Id, cancellationToken), []));
    }

    private static async Task<Results<Created<ExclusionLine>, ProblemHttpResult>> ExcludeAsync(ExclusionBody body, HttpContext http, MidrcDbContext db, ReleaseCalendar calendar, AuditTrail audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        if (!actor.IsProgramManager)
        {
            return ProgramManagersOnly();
        }

        if (string.IsNullOrWhiteSpace(body.Site) || string.IsNullOrWhiteSpace(body.StudyInstanceUid) || string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 2000)
        {
            return Problem(StatusCodes.Status400BadRequest, "Say which exam and why", "Give the site's code, the exam's Study Instance UID and a reason (at most 2000 characters), e.g. {\"site\": \"UCH\", \"studyInstanceUid\": \"1.2.3\", \"reason\": \"Consent in question\"}.");
        }

        var release = await CurrentOpenAsync(db, calendar, cancellationToken);
        if (release is null)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "The release is frozen", "Exams can be excluded only while the release is open; it has frozen already. Put it on hold and reopen it to change its contents.");
        }

        var study = await db.Studies.AsNoTracking().Where(s => s.Site!.Code == body.Site && s.StudyInstanceUid == body.StudyInstanceUid && s.Site.ProgramId == release.ProgramId).Select(s => new { s.Id, s.SiteId }).FirstOrDefaultAsync(cancellationToken);
        if (study is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such exam", $"Site {body.Site} has no exam with Study Instance UID {body.StudyInstanceUid}.");
        }

        if (await db.ReleaseExclusions.AnyAsync(x => x.ReleaseId == release.Id && x.StudyId == study.Id, cancellationToken))
        {
            return Problem(StatusCodes.Status409Conflict, "Already excluded", "This exam is already excluded from the open release.");
        }

        var exclusion = new ReleaseExclusion { ReleaseId = release.Id, StudyId = study.Id, ExcludedBy = actor.Name, Reason = body.Reason.Trim(), ExcludedAt = clock.GetUtcNow() };
        db.ReleaseExclusions.Add(exclusion);
        audit.Record(actor.Name, "release.exam-excluded", nameof(Release), release.Id.ToString(), study.SiteId, new { body.StudyInstanceUid, exclusion.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/releases/{release.Number}", new ExclusionLine(body.Site, body.StudyInstanceUid, actor.Name, exclusion.Reason, exclusion.ExcludedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> IncludeAsync(string site, string studyInstanceUid, HttpContext http, MidrcDbContext db, ReleaseCalendar calendar, AuditTrail audit, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        if (!actor.IsProgramManager)
        {
            return ProgramManagersOnly();
        }

        var release = await CurrentOpenAsync(db, calendar, cancellationToken);
        if (release is null)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "The release is frozen", "Exclusions can be taken back only while the release is open.");
        }

        var exclusion = await db.ReleaseExclusions.Include(x => x.Study).SingleOrDefaultAsync(x => x.ReleaseId == release.Id && x.Study!.StudyInstanceUid == studyInstanceUid && x.Study.Site!.Code == site, cancellationToken);
        if (exclusion is null)
        {
            return Problem(StatusCodes.Status404NotFound, "Not excluded", $"Exam {studyInstanceUid} of site {site} is not excluded from the open release.");
        }

        db.ReleaseExclusions.Remove(exclusion);
        audit.Record(actor.Name, "release.exam-included", nameof(Release), release.Id.ToString(), exclusion.Study!.SiteId, new { studyInstanceUid });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<List<WithdrawalLine>>, ProblemHttpResult>> ListWithdrawalsAsync(HttpContext http, MidrcDbContext db, CancellationToken cancellationToken)
    {
        if (!CurrentActor(http).IsProgramManager)
        {
            return ProgramManagersOnly();
        }

        return TypedResults.Ok(await db.Withdrawals.AsNoTracking().OrderBy(w => w.RecordedAt)
            .Select(w => new WithdrawalLine(w.Id, w.Site!.Code, w.CaseId, w.Reason, w.RecordedBy, w.RecordedAt, w.ReleaseId != null)).ToListAsync(cancellationToken));
    }

    private static async Task<Results<Created<WithdrawalLine>, ProblemHttpResult>> WithdrawAsync(WithdrawalBody body, HttpContext http, MidrcDbContext db, AuditTrail audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        if (!actor.IsProgramManager)
        {
            return ProgramManagersOnly();
        }

        if (string.IsNullOrWhiteSpace(body.Site) || string.IsNullOrWhiteSpace(body.CaseId) || string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Length > 2000 || body.CaseId.Length > 200)
        {
            return Problem(StatusCodes.Status400BadRequest, "Say whose data and why", "Give the site's code, the case id (the patient's pseudonym) and a reason (at most 2000 characters).");
        }

        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Code == body.Site, cancellationToken);
        if (site is null)
        {
            return Problem(StatusCodes.Status404NotFound, "No such site", $"There is no site with the code {body.Site}.");
        }

        if (await db.Withdrawals.AnyAsync(w => w.SiteId == site.Id && w.CaseId == body.CaseId, cancellationToken))
        {
            return Problem(StatusCodes.Status409Conflict, "Already withdrawn", $"Case {body.CaseId} of {site.Code} is already withdrawn.");
        }

        var withdrawal = new Withdrawal { SiteId = site.Id, CaseId = body.CaseId, Reason = body.Reason.Trim(), RecordedBy = actor.Name, RecordedAt = clock.GetUtcNow() };
        db.Withdrawals.Add(withdrawal);
        audit.Record(actor.Name, "release.case-withdrawn", nameof(Withdrawal), withdrawal.Id.ToString(), site.Id, new { body.CaseId, withdrawal.Reason });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created("/api/withdrawals", new WithdrawalLine(withdrawal.Id, site.Code, withdrawal.CaseId, withdrawal.Reason, withdrawal.RecordedBy, withdrawal.RecordedAt, false));
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> DownloadAsync(int number, string file, HttpContext http, MidrcDbContext db, ReleaseBuilder builder, CancellationToken cancellationToken)
    {
        if (!CurrentActor(http).IsProgramManager)
        {
            return Problem(StatusCodes.Status403Forbidden, "Not allowed", "Only program managers download release files.");
        }

        if (file is not ("manifest" or "notes"))
        {
            return Problem(StatusCodes.Status404NotFound, "No such file", "A release offers 'manifest' and 'notes'.");
        }

        var release = await db.Releases.AsNoTracking().FirstOrDefaultAsync(r => r.Number == number && r.State == ReleaseState.Published, cancellationToken);
        if (release is null || builder.PublishedFile(release, file) is not { } path)
        {
            return Problem(StatusCodes.Status404NotFound, "Not published", $"Release {number} is not published; only published releases have files to download.");
        }

        return TypedResults.PhysicalFile(path, file == "manifest" ? "text/tab-separated-values" : "text/markdown", $"release-{number}-{Path.GetFileName(path)}");
    }

    private static async Task<Release?> CurrentOpenAsync(MidrcDbContext db, ReleaseCalendar calendar, CancellationToken cancellationToken)
    {
        var programId = await db.Programs.OrderBy(p => p.CreatedAt).Select(p => p.Id).FirstAsync(cancellationToken);
        var release = await calendar.EnsureCurrentAsync(programId, cancellationToken);
        return release.State == ReleaseState.Open ? release : null;
    }

    private static async Task<List<SiteCount>> SiteCountsAsync(MidrcDbContext db, Guid releaseId, Actor actor, CancellationToken cancellationToken) =>
        (await db.ReleaseItems.Where(i => i.ReleaseId == releaseId && i.Change != ReleaseChange.Withdrawn && (actor.IsProgramManager || actor.CoordinatedSites.Contains(i.SiteId)))
            .GroupBy(i => i.SiteCode).Select(g => new { Site = g.Key, Exams = g.Select(i => i.StudyInstanceUid).Distinct().Count(), Objects = g.Count() })
            .ToListAsync(cancellationToken)).OrderBy(s => s.Site, StringComparer.Ordinal).Select(s => new SiteCount(s.Site, s.Exams, s.Objects)).ToList();

    private static ReleaseSummary Summarize(Release r, List<SiteCount> sites) =>
        new(r.Number, r.Title, r.State.ToString(), r.FrozenAt, r.PublishedAt, sites.Sum(s => s.Exams), sites.Sum(s => s.Objects));
}
