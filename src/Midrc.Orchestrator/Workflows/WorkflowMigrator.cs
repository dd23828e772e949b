using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Workflows.Migration;
using Midrc.Workflows.Model;
using Midrc.Workflows.Timing;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// <c>midrc workflows migrate</c>: moves a definition's instances from older versions to a newer one, using
/// <see cref="MigrationPlanner"/>. Each moved instance gets a journal entry and an audit event; its timers follow the new states.
/// </summary>
public sealed class WorkflowMigrator(MidrcDbContext db, WorkflowDefinitions definitions, AuditTrail audit, TimeProvider clock)
{
    /// <summary>One plan per version the instances are on now (instances already on the target are left alone); <see cref="KeyNotFoundException"/> for an unknown definition or version.</summary>
    public async Task<IReadOnlyList<MigrationPlan>> PlanAsync(string definitionId, int? toVersion, CancellationToken cancellationToken)
    {
        var target = (toVersion is { } version ? definitions.Library.Find(definitionId, version) : definitions.Latest(definitionId))
            ?? throw new KeyNotFoundException(toVersion is null
                ? $"There is no workflow definition '{definitionId}' in {definitions.Folder}."
                : $"Workflow '{definitionId}' has no version {toVersion} in {definitions.Folder}.");
        var instances = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.DefinitionId == definitionId && i.DefinitionVersion < target.Version && !i.IsFinished)
            .OrderBy(i => i.CreatedAt)
            .Select(i => new { i.Id, i.State, i.DefinitionVersion })
            .ToListAsync(cancellationToken);
        return instances.GroupBy(i => i.DefinitionVersion).OrderBy(g => g.Key)
            .Select(g => MigrationPlanner.Plan(definitions.Get(definitionId, g.Key), target, g.Select(i => new InstanceToMigrate(i.Id.ToString(), i.State))))
            .ToList();
    }

    /// <summary>Applies plans in one transaction; refuses when any instance has no target state.</summary>
    public async Task<int> ApplyAsync(IReadOnlyList<MigrationPlan> plans, string actor, CancellationToken cancellationToken)
    {
        if (plans.FirstOrDefault(p => !p.CanMigrate) is { } blocked)
        {
            throw new InvalidOperationException($"Cannot migrate {blocked.DefinitionId} from version {blocked.FromVersion}: {blocked.Instances.First(i => i.Problem is not null).Problem}");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var moved = 0;
        foreach (var plan in plans)
        {
            var target = definitions.Get(plan.DefinitionId, plan.ToVersion);
            foreach (var step in plan.Instances)
            {
                var instance = await db.WorkflowInstances.SingleAsync(i => i.Id == Guid.Parse(step.InstanceId), cancellationToken);
                var cancelled = step.TimersCancelled.ToList();
                await db.WorkflowTimers.Where(t => t.InstanceId == instance.Id && t.Status == TimerStatus.Pending && cancelled.Contains(t.Name))
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TimerStatus.Cancelled).SetProperty(t => t.Version, t => t.Version + 1), cancellationToken);
                foreach (var timer in target.SelfAndAncestors(step.ToState!).SelectMany(s => s.Timers).Where(t => step.TimersStarted.Contains(t.Key)))
                {
                    if (DueAt(timer, instance, now) is { } due)
                    {
                        db.WorkflowTimers.Add(new WorkflowTimer { InstanceId = instance.Id, Name = timer.Key, Trigger = timer.Fire, DueAt = due.ToUniversalTime(), RepeatsLeft = timer.Repeat });
                    }
                }

                db.WorkflowJournal.Add(new WorkflowJournalEntry
                {
                    InstanceId = instance.Id,
                    At = now,
                    Actor = actor,
                    FromState = step.FromState,
                    ToState = step.ToState!,
                    Trigger = "migrate",
                    Summary = $"Moved from version {plan.FromVersion} to version {plan.ToVersion}",
                    IdempotencyKey = $"migrate:{instance.Id}:{plan.FromVersion}:{plan.ToVersion}",
                });
                instance.State = step.ToState!;
                instance.DefinitionVersion = plan.ToVersion;
                audit.Record(actor, "workflow.migrated", nameof(WorkflowInstance), instance.Id.ToString(), instance.SiteId,
                    new { definition = plan.DefinitionId, from = plan.FromVersion, to = plan.ToVersion, fromState = step.FromState, toState = step.ToState });
                moved++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return moved;
    }

    /// <summary>When a timer of a newly entered state falls due, counted from now or from its deadline.</summary>
    private static DateTimeOffset? DueAt(Midrc.Workflows.Model.WorkflowTimer timer, WorkflowInstance instance, DateTimeOffset now)
    {
        var zone = DueTimes.FindTimeZone(instance.TimeZone);
        if (timer.Deadline is null)
        {
            return timer.After is null ? null : DueTimes.Add(now, timer.After, zone, timer.BusinessDays);
        }

        return !instance.Deadlines().TryGetValue(timer.Deadline, out var anchor) ? null
            : timer.Before is not null ? DueTimes.Subtract(anchor, timer.Before, zone, timer.BusinessDays)
            : DueTimes.Add(anchor, timer.After!, zone, timer.BusinessDays);
    }
}
