using Midrc.Workflows.Model;
using Midrc.Workflows.Validation;

namespace Midrc.Workflows.Runtime;

/// <summary>Who wants to fire a trigger: their role, and whether they belong to the site the instance is about.</summary>
public sealed record WorkflowActor(string Role, bool BelongsToSubjectSite);

/// <summary>An instance as the host holds it: current (innermost) state, guard data, the subject's IANA time zone and the deadlines set so far.</summary>
public sealed record WorkflowInstance(string State, WorkflowData Data, string TimeZone, IReadOnlyDictionary<string, DateTimeOffset>? Deadlines = null);

/// <summary>Whether a person may fire a trigger now; when not, <see cref="WhyNot"/> says why in plain words.</summary>
public sealed record TriggerAvailability(string Trigger, string Label, bool Permitted, string? WhyNot, IReadOnlyList<string> AllowedRoles);

/// <summary>When an action runs relative to the state change.</summary>
public enum ActionPhase
{
    /// <summary>On leaving a state.</summary>
    Exit,

    /// <summary>Between leaving the source and entering the target.</summary>
    Transition,

    /// <summary>On entering a state.</summary>
    Enter,
}

/// <summary>An action to run, in order, with the state it belongs to (null for transition actions).</summary>
public sealed record PlannedAction(ActionPhase Phase, string? State, WorkflowAction Action);

/// <summary>A timer to arm: fire <see cref="Trigger"/> at <see cref="DueAt"/>, then <see cref="RepeatsLeft"/> more times.</summary>
public sealed record ArmedTimer(string Key, string State, string Trigger, DateTimeOffset DueAt, int RepeatsLeft, WorkflowTimer Definition);

/// <summary>
/// The outcome of starting an instance or firing a trigger: the new state, the journal phrase, the actions in the order
/// to run them (exit innermost first, transition, enter outermost first), timers to cancel and arm, and deadlines changed.
/// When <see cref="Fired"/> is false nothing changed and <see cref="WhyNot"/> says why.
/// </summary>
public sealed record WorkflowStep
{
    /// <summary>True when the transition happened.</summary>
    public required bool Fired { get; init; }

    /// <summary>Why the trigger could not fire, in plain words.</summary>
    public string? WhyNot { get; init; }

    /// <summary>Trigger fired (null when starting).</summary>
    public string? Trigger { get; init; }

    /// <summary>State before.</summary>
    public required string FromState { get; init; }

    /// <summary>Innermost state after.</summary>
    public required string ToState { get; init; }

    /// <summary>Past-tense phrase for the timeline.</summary>
    public string? Journal { get; init; }

    /// <summary>Actions to run, in order.</summary>
    public IReadOnlyList<PlannedAction> Actions { get; init; } = [];

    /// <summary>Keys of timers to cancel (their state was left).</summary>
    public IReadOnlyList<string> TimersCancelled { get; init; } = [];

    /// <summary>Timers to arm (their state was entered).</summary>
    public IReadOnlyList<ArmedTimer> TimersArmed { get; init; } = [];

    /// <summary>Deadlines set, with their due instant.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> DeadlinesSet { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Deadlines cleared.</summary>
    public IReadOnlyList<string> DeadlinesCleared { get; init; } = [];
}
