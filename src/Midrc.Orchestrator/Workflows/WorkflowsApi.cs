using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Workflows.Diagrams;

namespace Midrc.Orchestrator.Workflows;

public sealed record InstanceSummary(Guid Id, string Definition, int Version, string Title, string SubjectType, Guid SubjectId, string? Site, string State, string StateTitle, bool Finished, DateTimeOffset UpdatedAt);

public sealed record JournalLine(DateTimeOffset At, string Actor, string Trigger, string From, string To, string Text, string Reason);

public sealed record TimerLine(string Name, string Trigger, DateTimeOffset DueAt, string Status);

public sealed record TriggerLine(string Trigger, string Label, bool Permitted, string? WhyNot);

public sealed record InstanceDetail(InstanceSummary Instance, IReadOnlyDictionary<string, string> Data, IReadOnlyDictionary<string, DateTimeOffset> Deadlines, IReadOnlyList<JournalLine> Journal, IReadOnlyList<TimerLine> Timers, IReadOnlyList<TriggerLine> Triggers);

/// <summary>The body of <c>POST .../fire</c>. <see cref="IdempotencyKey"/> (or the <c>Idempotency-Key</c> header) makes a retried request safe.</summary>
public sealed record FireBody(string Trigger, string? IdempotencyKey = null, string? ExpectedState = null, string? Reason = null);

public sealed record FireResponse(string Outcome, string State, string StateTitle, string Message);

/// <summary><c>/api/workflows</c>: instances by site, state and definition; one instance with journal, timers and buttons; firing; diagrams.</summary>
public static class WorkflowsApi
{
    public static IEndpointRouteBuilder MapWorkflows(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflows").WithTags("Workflows");
        group.AddEndpointFilter(async (context, next) =>
        {
            var resolver = context.HttpContext.RequestServices.GetRequiredService<ActorResolver>();
            if (await resolver.ResolveAsync(context.HttpContext, context.HttpContext.RequestAborted) is not { } actor)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign in first",
                    detail: "Workflows are shown and moved only for people who are signed in: sign in at /sign-in with the email the program registered for you.");
            }

            context.HttpContext.Items[typeof(Actor)] = actor;
            return await next(context);
        });

        group.MapGet("/instances", ListAsync).WithSummary("Lists workflow instances, filtered by site code, state and definition.");
        group.MapGet("/instances/{id:guid}", GetAsync).WithSummary("One instance with its journal, timers and the triggers the caller may fire (and why not the others).");
        group.MapPost("/instances/{id:guid}/fire", FireAsync).WithSummary("Fires a trigger: 200 with the new state, 409 when someone else moved it first, 403/422 with why not.");
        group.MapGet("/definitions/{id}/diagram", Diagram).WithSummary("A definition's diagram (mermaid or dot), with an instance's current state marked.");
        return app;
    }

    private static Actor CurrentActor(HttpContext context) => (Actor)context.Items[typeof(Actor)]!;

    private static async Task<Ok<List<InstanceSummary>>> ListAsync(HttpContext http, MidrcDbContext db, WorkflowDefinitions definitions, string? site, string? state, string? definition, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        var query = db.WorkflowInstances.AsNoTracking();
        if (site is not null)
        {
            var siteId = await db.Sites.Where(s => s.Code == site).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken);
            query = query.Where(i => i.SiteId == siteId);
        }

        if (state is not null)
        {
            query = query.Where(i => i.State == state);
        }

        if (definition is not null)
        {
            query = query.Where(i => i.DefinitionId == definition);
        }

        if (!actor.IsProgramManager)
        {
            var mine = actor.CoordinatedSites.Select(s => (Guid?)s).ToList();
            query = query.Where(i => mine.Contains(i.SiteId));
        }

        var instances = await query.OrderByDescending(i => i.UpdatedAt).Take(500).ToListAsync(cancellationToken);
        var codes = await SiteCodesAsync(db, instances, cancellationToken);
        return TypedResults.Ok(instances.Select(i => Summarize(i, definitions, codes)).ToList());
    }

    private static async Task<Results<Ok<InstanceDetail>, NotFound>> GetAsync(Guid id, HttpContext http, MidrcDbContext db, WorkflowDefinitions definitions, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        var instance = await db.WorkflowInstances.AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
        if (instance is null || !actor.CanSee(instance.SiteId))
        {
            return TypedResults.NotFound();
        }

        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        string Title(string state) => definition.FindState(state)?.Title ?? state;
        var journal = await db.WorkflowJournal.AsNoTracking().Where(j => j.InstanceId == id).OrderBy(j => j.At).ThenBy(j => j.Id).ToListAsync(cancellationToken);
        var timers = await db.WorkflowTimers.AsNoTracking().Where(t => t.InstanceId == id).OrderBy(t => t.DueAt).ToListAsync(cancellationToken);
        var codes = await SiteCodesAsync(db, [instance], cancellationToken);
        return TypedResults.Ok(new InstanceDetail(
            Summarize(instance, definitions, codes),
            instance.Values(),
            instance.Deadlines(),
            journal.Select(j => new JournalLine(j.At, j.Actor, j.Trigger, Title(j.FromState), Title(j.ToState), j.Summary, j.Reason)).ToList(),
            timers.Select(t => new TimerLine(t.Name, t.Trigger, t.DueAt, t.Status.ToString())).ToList(),
            runtime.Triggers(instance, actor).Select(t => new TriggerLine(t.Trigger, t.Label, t.Permitted, t.WhyNot)).ToList()));
    }

    private static async Task<Results<Ok<FireResponse>, Conflict<FireResponse>, ProblemHttpResult, NotFound>> FireAsync(
        Guid id, FireBody body, HttpContext http, MidrcDbContext db, WorkflowDefinitions definitions, WorkflowRuntime runtime, CancellationToken cancellationToken)
    {
        var actor = CurrentActor(http);
        var instance = await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == id)
            .Select(i => new { i.SiteId, i.DefinitionId, i.DefinitionVersion }).SingleOrDefaultAsync(cancellationToken);
        if (instance is null || !actor.CanSee(instance.SiteId))
        {
            return TypedResults.NotFound();
        }

        var key = body.IdempotencyKey ?? http.Request.Headers["Idempotency-Key"].FirstOrDefault() ?? $"api:{Guid.NewGuid():N}";
        if (key.Length is 0 or > WorkflowRuntime.MaxKeyLength)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad idempotency key",
                detail: $"An idempotency key must have 1 to {WorkflowRuntime.MaxKeyLength} characters.");
        }

        var result = await runtime.FireAsync(new FireRequest(id, body.Trigger, actor, key) { ExpectedState = body.ExpectedState, Reason = body.Reason }, cancellationToken);
        var title = definitions.Get(instance.DefinitionId, instance.DefinitionVersion).FindState(result.State)?.Title ?? result.State;
        var response = new FireResponse(result.Outcome.ToString(), result.State, title, result.Message);
        return result.Outcome switch
        {
            FireOutcome.Fired or FireOutcome.Replayed => TypedResults.Ok(response),
            FireOutcome.Conflict => TypedResults.Conflict(response),
            FireOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed", detail: result.Message),
            FireOutcome.NotPossible => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not possible now", detail: result.Message),
            _ => TypedResults.NotFound(),
        };
    }

    private static async Task<Results<ContentHttpResult, NotFound<string>>> Diagram(
        string id, HttpContext http, MidrcDbContext db, WorkflowDefinitions definitions, string? format, Guid? instance, CancellationToken cancellationToken)
    {
        var current = instance is { } instanceId
            ? await db.WorkflowInstances.AsNoTracking().Where(i => i.Id == instanceId && i.DefinitionId == id).Select(i => new { i.State, i.DefinitionVersion, i.SiteId }).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (instance is not null && (current is null || !CurrentActor(http).CanSee(current.SiteId)))
        {
            return TypedResults.NotFound($"No {id} workflow {instance} that you can see.");
        }

        var definition = current is null ? definitions.Latest(id) : definitions.Get(id, current.DefinitionVersion);
        if (definition is null)
        {
            return TypedResults.NotFound($"No workflow definition '{id}'.");
        }

        var dot = string.Equals(format, "dot", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Text(WorkflowDiagrams.Render(definition, dot ? DiagramFormat.Dot : DiagramFormat.Mermaid, current?.State), dot ? "text/vnd.graphviz" : "text/plain");
    }

    private static async Task<Dictionary<Guid, string>> SiteCodesAsync(MidrcDbContext db, IReadOnlyCollection<WorkflowInstance> instances, CancellationToken cancellationToken)
    {
        var ids = instances.Where(i => i.SiteId is not null).Select(i => i.SiteId!.Value).Distinct().ToList();
        return await db.Sites.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Code, cancellationToken);
    }

    private static InstanceSummary Summarize(WorkflowInstance i, WorkflowDefinitions definitions, Dictionary<Guid, string> siteCodes)
    {
        var definition = definitions.Get(i.DefinitionId, i.DefinitionVersion);
        return new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, definition.Title, i.SubjectType, i.SubjectId,
            i.SiteId is { } s ? siteCodes.GetValueOrDefault(s) : null, i.State, definition.FindState(i.State)?.Title ?? i.State, i.IsFinished, i.UpdatedAt);
    }
}
