using System.Text;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Qa;

/// <summary>
/// <c>/api/submissions/{id}/...</c> for signed-in people (the sites' machines use their token on the upload API): the
/// grouped findings report (JSON and CSV), waiver requests and decisions, and reviews of files flagged for burned-in
/// text. A coordinator reaches only their own site's submissions; another site's answer 404.
/// </summary>
public static class FixLoopApi
{
    public static IEndpointRouteBuilder MapFixLoop(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/submissions/{id:guid}").WithTags("Fix loop").RequireAuthorization(MidrcPolicies.SiteCoordinator)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (IntakeException e)
            {
                return e.ToProblem();
            }
        });

        group.MapGet("/report", async (Guid id, HttpContext http, FixLoop loop, SubmissionReports reports, CancellationToken ct) =>
            Results.Ok(await reports.BuildAsync(await loop.FindAsync(await ActorAsync(http, ct), id, ct), ct)))
            .WithSummary("The submission's findings grouped by rule, then study and series, with counts by status, and the files whose de-identification failed or needs review.")
            .Produces<SubmissionReport>();

        group.MapGet("/report.csv", async (Guid id, HttpContext http, FixLoop loop, SubmissionReports reports, CancellationToken ct) =>
        {
            var report = await reports.BuildAsync(await loop.FindAsync(await ActorAsync(http, ct), id, ct), ct);
            var text = new StringWriter();
            SubmissionReports.WriteCsv(report, text);
            return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", $"submission-{report.Site}-{id}.csv");
        }).WithSummary("The grouped findings as CSV, one row per rule and series.").Produces(StatusCodes.Status200OK, contentType: "text/csv");

        group.MapPost("/waivers", (Guid id, FindingsDecision body, HttpContext http, FixLoop loop, CancellationToken ct) =>
            DecideAsync(http, loop, id, (actor, s) => loop.RequestWaiverAsync(actor, s, body, ct), ct))
            .WithSummary("A coordinator asks for a waiver of open error findings, with a reason (de-identification findings are never waived).")
            .Produces<DecisionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/waivers/grant", (Guid id, FindingsDecision body, HttpContext http, FixLoop loop, CancellationToken ct) =>
            DecideAsync(http, loop, id, (actor, s) => loop.DecideWaiverAsync(actor, s, body, grant: true, ct), ct))
            .WithSummary("A program manager waives findings a coordinator asked about, with a reason.")
            .Produces<DecisionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/waivers/refuse", (Guid id, FindingsDecision body, HttpContext http, FixLoop loop, CancellationToken ct) =>
            DecideAsync(http, loop, id, (actor, s) => loop.DecideWaiverAsync(actor, s, body, grant: false, ct), ct))
            .WithSummary("A program manager refuses a waiver, with a reason: the findings are open again.")
            .Produces<DecisionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/reviews", (Guid id, ReviewDecision body, HttpContext http, FixLoop loop, CancellationToken ct) =>
            DecideAsync(http, loop, id, (actor, s) => loop.ReviewAsync(actor, s, body, ct), ct))
            .WithSummary("A program manager decides on files flagged for burned-in text (outcome passed or failed, with a reason); verification then runs again.")
            .Produces<DecisionResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The signed-in person as a workflow actor, with their current roles.</summary>
    public static async Task<Actor> ActorAsync(HttpContext http, CancellationToken cancellationToken) =>
        await http.RequestServices.GetRequiredService<ActorResolver>().ResolveAsync(http, cancellationToken)
            ?? throw new IntakeException(StatusCodes.Status401Unauthorized, "Sign in first", "Sign in at /sign-in with the email the program registered for you.");

    private static async Task<IResult> DecideAsync(HttpContext http, FixLoop loop, Guid id, Func<Actor, Submission, Task<DecisionResult>> decide, CancellationToken ct)
    {
        var actor = await ActorAsync(http, ct);
        return Results.Ok(await decide(actor, await loop.FindAsync(actor, id, ct)));
    }
}
