using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Diagrams;
using Midrc.Workflows.Model;
using Midrc.Workflows.Runtime;
using WorkflowInstance = Midrc.Orchestrator.Workflows.WorkflowInstance;

namespace Midrc.Orchestrator.Dashboard;

/// <summary>One thing that happened to a site, as its timeline says it: what, who, when, and the reason given.</summary>
public sealed record TimelineEntry(DateTimeOffset At, string Who, string What, string Workflow, string Reason);

/// <summary>
/// A workflow instance with what the viewer may do to it now: the permitted triggers become buttons, the others are
/// listed with the reason why not.
/// </summary>
public sealed record WorkflowActions(Guid InstanceId, string Title, string StateTitle, IReadOnlyList<TriggerAvailability> Triggers)
{
    public IEnumerable<TriggerAvailability> Permitted => Triggers.Where(t => t.Permitted);
    public IEnumerable<TriggerAvailability> NotNow => Triggers.Where(t => !t.Permitted);

    /// <summary>What <paramref name="viewer"/> may do to <paramref name="instance"/> now; nothing once it has finished.</summary>
    public static WorkflowActions For(WorkflowInstance instance, Actor viewer, WorkflowDefinitions definitions, WorkflowRuntime runtime)
    {
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        return new WorkflowActions(instance.Id, definition.Title, definition.FindState(instance.State)?.Title ?? instance.State,
            instance.IsFinished ? [] : runtime.Triggers(instance, viewer));
    }
}

/// <summary>A site's workflows as its page shows them: the onboarding diagram, each request's actions, the timeline.</summary>
public sealed record SiteWorkflowView(
    WorkflowActions? Onboarding, string? Diagram, IReadOnlyDictionary<Guid, WorkflowActions> Requests, IReadOnlyList<TimelineEntry> Timeline);

/// <summary>
/// Reads a site's workflows for a viewer, and fires a trigger on one of them from the site's page. The caller has
/// already found the site visible to the viewer; an instance of another site is treated as missing.
/// </summary>
public sealed class SiteWorkflows(MidrcDbContext db, WorkflowDefinitions definitions, WorkflowRuntime runtime)
{
    /// <summary>The most recent timeline entries a page shows.</summary>
    public const int TimelineLength = 60;

    /// <summary>The name the timeline gives to what the orchestrator did by itself (timers, jobs).</summary>
    public const string SystemName = "MIDRC (automatic)";

    public async Task<SiteWorkflowView> ReadAsync(Site site, Actor viewer, CancellationToken cancellationToken)
    {
        var instances = await db.WorkflowInstances.AsNoTracking().Where(i => i.SiteId == site.Id).ToListAsync(cancellationToken);
        var requestTitles = await db.Solicitations.AsNoTracking().Where(r => r.SiteId == site.Id).ToDictionaryAsync(r => r.Id, r => r.Title, cancellationToken);
        // A request's steps say which request: "Data solicitation: Chest CT 2027".
        var titles = instances.ToDictionary(i => i.Id, i => definitions.Get(i.DefinitionId, i.DefinitionVersion).Title
            + (requestTitles.TryGetValue(i.SubjectId, out var request) ? $": {request}" : ""));
        var journal = await db.WorkflowJournal.AsNoTracking()
            .Where(j => j.Instance!.SiteId == site.Id)
            .OrderByDescending(j => j.At).ThenByDescending(j => j.Id)
            .Take(TimelineLength)
            .ToListAsync(cancellationToken);
        var emails = journal.Select(j => j.Actor).Distinct().ToList();
        var names = await db.People.AsNoTracking().Where(p => emails.Contains(p.Email)).ToDictionaryAsync(p => p.Email, p => p.DisplayName, cancellationToken);
        var timeline = journal
            .Select(j => new TimelineEntry(j.At, Who(j.Actor, names), What(j, instances.Single(i => i.Id == j.InstanceId)), titles[j.InstanceId], j.Reason))
            .ToList();

        var onboarding = instances.FirstOrDefault(i => i.SubjectType == "site" && i.SubjectId == site.Id);
        var requests = instances.Where(i => i.SubjectType == "solicitation").ToDictionary(i => i.SubjectId, i => Actions(i, viewer));
        var diagram = onboarding is null ? null : WorkflowDiagrams.Mermaid(definitions.Get(onboarding.DefinitionId, onboarding.DefinitionVersion), onboarding.State);
        return new SiteWorkflowView(onboarding is null ? null : Actions(onboarding, viewer), diagram, requests, timeline);
    }

    /// <summary>
    /// Fires <paramref name="trigger"/> on an instance of <paramref name="site"/> as <paramref name="actor"/>; an instance
    /// of another site answers <see cref="FireOutcome.NotFound"/>, so it cannot be moved from this site's page.
    /// </summary>
    public async Task<FireResult> FireAsync(Site site, Guid instanceId, string trigger, string idempotencyKey, string? reason, Actor actor, CancellationToken cancellationToken)
    {
        if (!await db.WorkflowInstances.AnyAsync(i => i.Id == instanceId && i.SiteId == site.Id, cancellationToken))
        {
            return new FireResult(FireOutcome.NotFound, "", "This workflow is not one of this site's.");
        }
        return await runtime.FireAsync(
            new FireRequest(instanceId, trigger, actor, idempotencyKey) { Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim() }, cancellationToken);
    }

    private WorkflowActions Actions(WorkflowInstance instance, Actor viewer) => WorkflowActions.For(instance, viewer, definitions, runtime);

    private static string Who(string actor, Dictionary<string, string> names) =>
        actor == WorkflowRoles.System ? SystemName : names.GetValueOrDefault(actor, actor);

    /// <summary>The journal's own sentence, or the move in state titles when the step wrote none.</summary>
    private string What(Midrc.Orchestrator.Workflows.WorkflowJournalEntry entry, WorkflowInstance instance)
    {
        if (entry.Summary.Length > 0)
        {
            return entry.Summary;
        }
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var to = definition.FindState(entry.ToState)?.Title ?? entry.ToState;
        return entry.Trigger == "start" ? $"Started at '{to}'" : $"Moved to '{to}'";
    }
}
