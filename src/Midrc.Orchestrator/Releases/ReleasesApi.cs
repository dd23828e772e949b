using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

public sealed record ReleaseSummary(int Number, string Title, string State, DateTimeOffset? FrozenAt, DateTimeOffset? PublishedAt, int Exams, int Objects);

/// <summary>One step of building a release, as the release page lists it.</summary>
public sealed record BuildProgress(string Step, BuildStepStatus Status);

public enum BuildStepStatus
{
    Done,
    Current,
    Failed,
    Waiting,
}

public sealed record SiteCount(string Site, int Exams, int Objects);

public sealed record ExclusionLine(string Site, string StudyInstanceUid, string ExcludedBy, string Reason, DateTimeOffset ExcludedAt);

public sealed record ReleaseDetail(ReleaseSummary Release, string BuildStep, string? FailureReason, string? ManifestSha256, int Added, int Corrected, int Withdrawn, int Sequestered, int? CandidateObjects, IReadOnlyList<SiteCount> Sites, IReadOnlyList<ExclusionLine> Exclusions);

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
            try
            {
                return await next(context);
            }
            catch (ReleaseRefusedException e)
            {
                return Problem(e.Status, e.Title, e.Message);
            }
        });
        group.MapGet("/releases", ListAsync).WithSummary("Lists releases, newest first, with exam and object counts (a coordinator's counts are their site's).");
        group.MapGet("/releases/{number:int}", GetAsync).WithSummary("One release: its state, changes, counts by site, exclusions, and what an open release would take now.");
        group.MapPost("/releases/current/freeze", FreezeNowAsync).ProducesProblem(StatusCodes.Status422UnprocessableEntity).WithSummary("Program managers: freezes the open release now instead of waiting for the schedule.");
        group.MapPost("/releases/current/exclusions", ExcludeAsync).ProducesProblem(StatusCodes.Status400BadRequest).WithSummary("Program managers: keeps an exam out of the open release, with a reason.");
        group.MapDelete("/releases/current/exclusions/{site}/{studyInstanceUid}", IncludeAsync).ProducesProblem(StatusCodes.Status404NotFound).WithSummary("Program managers: takes an exam's exclusion back before freeze.");
        group.MapGet("/withdrawals", ListWithdrawalsAsync).WithSummary("Program managers: recorded withdrawals and whether a release has taken them into effect.");
        group.MapPost("/withdrawals", WithdrawAsync).WithSummary("Program managers: records that a site retracts a patient; effective in the next release.");
        group.MapGet("/releases/{number:int}/{file}", DownloadAsync).WithSummary("The manifest (file=manifest) or release notes (file=notes) of a published release.");
        return app;
    }

    private static Actor CurrentActor(HttpContext http) => (Actor)http.Items[typeof(Actor)]!;

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static ProblemHttpResult ProgramManagersOnly() =>
        Problem(StatusCodes.Status403Forbidden, "Not allowed", "Only a program manager can change what goes into a release.");

    private static async Task<Ok<List<ReleaseSummary>>> ListAsync(HttpContext http, ReleaseDesk desk, CancellationToken cancellationToken) =>
        TypedResults.Ok(await desk.ListAsync(CurrentActor(http), cancellationToken));

    private static async Task<Results<Ok<ReleaseDetail>, NotFound>> GetAsync(int number, HttpContext http, ReleaseDesk desk, CancellationToken cancellationToken) =>
        await desk.DetailAsync(number, CurrentActor(http), cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static async Task<Ok<ReleaseSummary>> FreezeNowAsync(HttpContext http, ReleaseDesk desk, CancellationToken cancellationToken) =>
        TypedResults.Ok(await desk.FreezeNowAsync(CurrentActor(http), http.Request.Headers["Idempotency-Key"].FirstOrDefault() ?? $"api:{Guid.NewGuid():N}", cancellationToken));

    private static async Task<Created<ExclusionLine>> ExcludeAsync(ExclusionBody body, HttpContext http, ReleaseDesk desk, CancellationToken cancellationToken)
    {
        var line = await desk.ExcludeAsync(CurrentActor(http), body, cancellationToken);
        return TypedResults.Created($"/api/releases/{(await desk.CurrentAsync(cancellationToken)).Number}", line);
    }

    private static async Task<NoContent> IncludeAsync(string site, string studyInstanceUid, HttpContext http, ReleaseDesk desk, CancellationToken cancellationToken)
    {
        await desk.IncludeAsync(CurrentActor(http), site, studyInstanceUid, cancellationToken);
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
}
