using Midrc.Workflows.Model;

namespace Midrc.Workflows.Migration;

/// <summary>An instance to move: its id and its current (innermost) state on the old version.</summary>
public sealed record InstanceToMigrate(string InstanceId, string State);

/// <summary>What happens to one instance's state.</summary>
public enum MigrationOutcome
{
    /// <summary>The state exists unchanged in the new version.</summary>
    Unchanged,

    /// <summary>The state moves to another state (a <c>migrate</c> entry, or the initial sub-state of a state that became composite).</summary>
    Mapped,

    /// <summary>The state no longer exists and the new version says nothing about it: the migration cannot run.</summary>
    Unmapped,
}

/// <summary>The plan for one instance: target state and the timers that stop or start.</summary>
public sealed record InstanceMigration(string InstanceId, string FromState, string? ToState, MigrationOutcome Outcome, string? Problem, IReadOnlyList<string> TimersCancelled, IReadOnlyList<string> TimersStarted);

/// <summary>What moving instances from one version to the next would change; <see cref="CanMigrate"/> is false when any state is unmapped.</summary>
public sealed record MigrationPlan(string DefinitionId, int FromVersion, int ToVersion, IReadOnlyList<InstanceMigration> Instances)
{
    /// <summary>True when every instance has a target state.</summary>
    public bool CanMigrate => Instances.All(i => i.Outcome != MigrationOutcome.Unmapped);
}

/// <summary>Plans a migration between two versions of a definition, without touching anything (the dry run).</summary>
public static class MigrationPlanner
{
    /// <summary>Compares <paramref name="current"/> and <paramref name="target"/> for each instance.</summary>
    public static MigrationPlan Plan(WorkflowDefinition current, WorkflowDefinition target, IEnumerable<InstanceToMigrate> instances)
    {
        if (current.Id != target.Id)
        {
            throw new ArgumentException($"Cannot migrate '{current.Id}' instances to definition '{target.Id}'.", nameof(target));
        }

        return new MigrationPlan(current.Id, current.Version, target.Version, instances.Select(instance => PlanOne(current, target, instance)).ToList());
    }

    private static InstanceMigration PlanOne(WorkflowDefinition current, WorkflowDefinition target, InstanceToMigrate instance)
    {
        var mapping = target.Migrations.FirstOrDefault(m => m.FromState == instance.State);
        var named = mapping?.To ?? (target.FindState(instance.State) is null ? null : instance.State);
        if (named is null)
        {
            var problem = $"State '{instance.State}' no longer exists in version {target.Version}; add 'migrate: [{{from-state: {instance.State}, to: <state>}}]' to the new definition.";
            return new InstanceMigration(instance.InstanceId, instance.State, null, MigrationOutcome.Unmapped, problem, [], []);
        }

        var to = target.SelfAndInitialDescendants(named).Last().Id;
        var outcome = to == instance.State ? MigrationOutcome.Unchanged : MigrationOutcome.Mapped;
        var before = TimerKeys(current, instance.State);
        var after = TimerKeys(target, to);
        return new InstanceMigration(instance.InstanceId, instance.State, to, outcome, null, before.Except(after).ToList(), after.Except(before).ToList());
    }

    private static List<string> TimerKeys(WorkflowDefinition definition, string state) =>
        definition.SelfAndAncestors(state).SelectMany(s => s.Timers).Select(t => t.Key).ToList();
}
