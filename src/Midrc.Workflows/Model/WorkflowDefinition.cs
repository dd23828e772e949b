using Midrc.Workflows.Timing;

namespace Midrc.Workflows.Model;

/// <summary>Where the definition's fields were written, so problems can point at the exact value.</summary>
public abstract class WorkflowElement
{
    /// <summary>Where the element starts.</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>Where individual fields were written, keyed by field name (list items as <c>name[index]</c>).</summary>
    public IReadOnlyDictionary<string, SourceLocation> FieldLocations { get; init; } = new Dictionary<string, SourceLocation>();

    /// <summary>The location of a field, or of the element when the field was not written.</summary>
    public SourceLocation At(string field) => FieldLocations.TryGetValue(field, out var location) ? location : Location;
}

/// <summary>One version of a declarative workflow, as written in a <c>workflows/*.yaml</c> file.</summary>
public sealed class WorkflowDefinition : WorkflowElement
{
    /// <summary>Stable identifier, e.g. <c>site-onboarding</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Version number; instances stay on the version they started with.</summary>
    public required int Version { get; init; }

    /// <summary>Title shown to people.</summary>
    public required string Title { get; init; }

    /// <summary>What an instance is about: site, solicitation, submission or release.</summary>
    public required string Subject { get; init; }

    /// <summary>Id of the top-level state an instance starts in.</summary>
    public required string Initial { get; init; }

    /// <summary>Top-level states, each possibly with sub-states.</summary>
    public required IReadOnlyList<WorkflowState> States { get; init; }

    /// <summary>Every transition, in file order.</summary>
    public required IReadOnlyList<WorkflowTransition> Transitions { get; init; }

    /// <summary>Cron schedules that fire triggers.</summary>
    public IReadOnlyList<WorkflowSchedule> Schedules { get; init; } = [];

    /// <summary>How states of the previous version that no longer exist map onto this version.</summary>
    public IReadOnlyList<StateMigration> Migrations { get; init; } = [];

    /// <summary>Every state at every depth, parents before their children.</summary>
    public IEnumerable<WorkflowState> AllStates() => States.SelectMany(s => s.SelfAndDescendants());

    /// <summary>The state with this id at any depth, or null.</summary>
    public WorkflowState? FindState(string id) => AllStates().FirstOrDefault(s => s.Id == id);

    /// <summary>Every trigger some transition handles.</summary>
    public IReadOnlySet<string> Triggers() => Transitions.Select(t => t.Trigger).ToHashSet();

    /// <summary>The state, then its parent, up to the top level.</summary>
    public IEnumerable<WorkflowState> SelfAndAncestors(string stateId)
    {
        for (var state = FindState(stateId); state is not null; state = state.Parent is null ? null : FindState(state.Parent))
        {
            yield return state;
        }
    }

    /// <summary>The state and its initial sub-states down to the innermost one (entering a composite state enters these).</summary>
    public IEnumerable<WorkflowState> SelfAndInitialDescendants(string stateId)
    {
        for (var state = FindState(stateId); state is not null; state = state.Initial is null ? null : state.Children.FirstOrDefault(c => c.Id == state.Initial))
        {
            yield return state;
        }
    }
}

/// <summary>A state; a composite state has sub-states and an initial one among them.</summary>
public sealed class WorkflowState : WorkflowElement
{
    /// <summary>Identifier, unique across the whole definition, e.g. <c>awaiting-fixes</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Title shown to people; defaults to the id in sentence case.</summary>
    public required string Title { get; init; }

    /// <summary>Id of the enclosing state, null at the top level.</summary>
    public string? Parent { get; init; }

    /// <summary>For a composite state, the sub-state entered with it.</summary>
    public string? Initial { get; init; }

    /// <summary>True when the workflow ends here.</summary>
    public bool Final { get; init; }

    /// <summary>Sub-states.</summary>
    public IReadOnlyList<WorkflowState> Children { get; init; } = [];

    /// <summary>Actions taken on entering the state.</summary>
    public IReadOnlyList<WorkflowAction> OnEnter { get; init; } = [];

    /// <summary>Actions taken on leaving the state.</summary>
    public IReadOnlyList<WorkflowAction> OnExit { get; init; } = [];

    /// <summary>Timers armed on entering the state and cancelled on leaving it.</summary>
    public IReadOnlyList<WorkflowTimer> Timers { get; init; } = [];

    /// <summary>This state and every state nested in it, parents first.</summary>
    public IEnumerable<WorkflowState> SelfAndDescendants() => Children.SelectMany(c => c.SelfAndDescendants()).Prepend(this);
}

/// <summary>A trigger moving an instance from one of <see cref="From"/> to <see cref="To"/>, or handled in place when <see cref="To"/> is null.</summary>
public sealed class WorkflowTransition : WorkflowElement
{
    /// <summary>The trigger's name, e.g. <c>grant-waiver</c>.</summary>
    public required string Trigger { get; init; }

    /// <summary>States (at any depth) the trigger may be fired from; a composite state covers its sub-states.</summary>
    public required IReadOnlyList<string> From { get; init; }

    /// <summary>Target state, or null for an internal transition that only runs its actions.</summary>
    public string? To { get; init; }

    /// <summary>Name of a guard from the catalogue that must hold.</summary>
    public string? Guard { get; init; }

    /// <summary>Roles that may fire the trigger.</summary>
    public required IReadOnlyList<string> Allowed { get; init; }

    /// <summary>Button text, e.g. "Grant waiver".</summary>
    public required string Label { get; init; }

    /// <summary>Past-tense phrase for timelines, e.g. "QA waiver granted".</summary>
    public required string Journal { get; init; }

    /// <summary>Actions taken between leaving the source and entering the target.</summary>
    public IReadOnlyList<WorkflowAction> Actions { get; init; } = [];

    /// <summary>True for a transition that runs actions without leaving the state.</summary>
    public bool IsInternal => To is null;
}

/// <summary>After a duration (from entering the state, or around a deadline), fire a trigger.</summary>
public sealed class WorkflowTimer : WorkflowElement
{
    /// <summary>State the timer belongs to.</summary>
    public required string State { get; init; }

    /// <summary>Fire this long after entering the state, or after the deadline when <see cref="Deadline"/> is set.</summary>
    public IsoDuration? After { get; init; }

    /// <summary>Fire this long before the deadline named by <see cref="Deadline"/>.</summary>
    public IsoDuration? Before { get; init; }

    /// <summary>Name of the deadline the timer is anchored to, if any.</summary>
    public string? Deadline { get; init; }

    /// <summary>Count days Monday to Friday only.</summary>
    public bool BusinessDays { get; init; }

    /// <summary>Trigger fired when the timer is due.</summary>
    public required string Fire { get; init; }

    /// <summary>How many more times the timer fires, each one more interval later.</summary>
    public int Repeat { get; init; }

    /// <summary>A stable key, unique within the state, used for cancellation and migration.</summary>
    public string Key => $"{State}/{Fire}/{(Before is null ? "after" : "before")}-{(Before ?? After)?.Text}{(Deadline is null ? "" : "-" + Deadline)}";
}

/// <summary>A cron schedule (Cronos syntax) that fires a trigger on every instance that can take it.</summary>
public sealed class WorkflowSchedule : WorkflowElement
{
    /// <summary>Five-field cron expression, e.g. <c>0 14 * * TUE#3</c>.</summary>
    public required string Cron { get; init; }

    /// <summary>IANA time zone the expression is read in; the instance's time zone when null.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Trigger fired at each occurrence.</summary>
    public required string Fire { get; init; }
}

/// <summary>Maps a state of the previous version that no longer exists onto a state of this version.</summary>
public sealed class StateMigration : WorkflowElement
{
    /// <summary>State name in the previous version.</summary>
    public required string FromState { get; init; }

    /// <summary>State in this version.</summary>
    public required string To { get; init; }
}
