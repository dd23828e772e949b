using System.Globalization;
using Midrc.Workflows.Model;
using Midrc.Workflows.Timing;
using Midrc.Workflows.Validation;
using Stateless;

namespace Midrc.Workflows.Runtime;

/// <summary>
/// Evaluates definitions without side effects: who may fire what and why not, and what firing a trigger does.
/// Transition semantics (sub-states, superstate handlers, guards, entry and exit order) come from Stateless;
/// the host persists the returned <see cref="WorkflowStep"/> and runs its actions.
/// </summary>
public sealed class WorkflowEngine(WorkflowCatalog catalog, TimeProvider clock)
{
    /// <summary>Enters the definition's initial state (and its initial sub-states) for a new instance.</summary>
    public WorkflowStep Start(WorkflowDefinition definition, WorkflowData data, string timeZone)
    {
        var recorder = new StepRecorder(new WorkflowInstance(definition.Initial, data, timeZone), clock.GetUtcNow());
        foreach (var state in definition.SelfAndInitialDescendants(definition.Initial))
        {
            recorder.Enter(state);
        }

        var innermost = definition.SelfAndInitialDescendants(definition.Initial).Last().Id;
        return recorder.Step(null, definition.Initial, innermost, "Started");
    }

    /// <summary>Every trigger that applies in the instance's current state, each with whether <paramref name="actor"/> may fire it now and, if not, why not.</summary>
    public IReadOnlyList<TriggerAvailability> Triggers(WorkflowDefinition definition, WorkflowInstance instance, WorkflowActor actor) =>
        Candidates(definition, instance.State)
            .Select(t => t.Trigger)
            .Distinct()
            .Select(trigger => Check(definition, instance, trigger, actor))
            .ToList();

    /// <summary>Whether <paramref name="actor"/> may fire <paramref name="trigger"/> now, and if not, why not.</summary>
    public TriggerAvailability Check(WorkflowDefinition definition, WorkflowInstance instance, string trigger, WorkflowActor actor)
    {
        var all = definition.Transitions.Where(t => t.Trigger == trigger).ToList();
        if (all.Count == 0)
        {
            return new TriggerAvailability(trigger, trigger, false, $"'{trigger}' is not a step of {definition.Title}.", []);
        }

        var label = all[0].Label;
        var candidates = Candidates(definition, instance.State).Where(t => t.Trigger == trigger).ToList();
        if (candidates.Count == 0)
        {
            var state = definition.FindState(instance.State)?.Title ?? instance.State;
            return new TriggerAvailability(trigger, label, false, $"{label} is not possible while the {definition.Subject} is at '{state}'.", all.SelectMany(t => t.Allowed).Distinct().ToList());
        }

        var roles = candidates.SelectMany(t => t.Allowed).Distinct().ToList();
        var chosen = candidates.FirstOrDefault(t => Allows(t, instance, actor));
        if (chosen is not null)
        {
            return new TriggerAvailability(trigger, chosen.Label, true, null, roles);
        }

        var withRole = candidates.Where(t => RoleReason(t, actor) is null).ToList();
        var reason = withRole.Count > 0
            ? withRole.Select(t => catalog.Guards.TryGetValue(t.Guard!, out var guard) ? guard.WaitingReason : $"Condition '{t.Guard}' is not known to this program").First()
            : RoleReason(candidates[0], actor, roles)!;
        return new TriggerAvailability(trigger, label, false, reason, roles);
    }

    /// <summary>Fires <paramref name="trigger"/> for <paramref name="actor"/>: the resulting state and the ordered actions, or why it cannot fire.</summary>
    public WorkflowStep Fire(WorkflowDefinition definition, WorkflowInstance instance, string trigger, WorkflowActor actor)
    {
        var availability = Check(definition, instance, trigger, actor);
        if (!availability.Permitted)
        {
            return new WorkflowStep { Fired = false, WhyNot = availability.WhyNot, Trigger = trigger, FromState = instance.State, ToState = instance.State };
        }

        var chosen = Candidates(definition, instance.State).First(t => t.Trigger == trigger && Allows(t, instance, actor));
        var recorder = new StepRecorder(instance, clock.GetUtcNow());
        var current = instance.State;
        var machine = new StateMachine<string, string>(() => current, state => current = state);
        foreach (var state in definition.AllStates())
        {
            var configuration = machine.Configure(state.Id);
            if (state.Parent is not null)
            {
                configuration.SubstateOf(state.Parent);
            }

            if (state.Initial is not null)
            {
                configuration.InitialTransition(state.Initial);
            }

            configuration.OnEntry(() => recorder.Enter(state)).OnExit(() => recorder.Exit(state));
        }

        foreach (var transition in definition.Transitions)
        {
            bool Guard() => Allows(transition, instance, actor);
            var description = transition.Guard ?? "allowed role";
            foreach (var from in transition.From)
            {
                var configuration = machine.Configure(from);
                if (transition.To is null)
                {
                    configuration.InternalTransitionIf(transition.Trigger, _ => Guard(), () => recorder.TransitionActions(chosen), description);
                }
                else if (transition.To == from)
                {
                    configuration.PermitReentryIf(transition.Trigger, Guard, description);
                }
                else
                {
                    configuration.PermitIf(transition.Trigger, transition.To, Guard, description);
                }
            }
        }

        machine.OnTransitioned(_ => recorder.TransitionActions(chosen));
        machine.Fire(trigger);
        return recorder.Step(trigger, instance.State, current, chosen.Journal);
    }

    /// <summary>The next occurrence of a schedule strictly after <paramref name="after"/>, in the schedule's time zone or else the instance's.</summary>
    public static DateTimeOffset? NextOccurrence(WorkflowSchedule schedule, string instanceTimeZone, DateTimeOffset after) =>
        DueTimes.NextOccurrence(schedule.Cron, after, DueTimes.FindTimeZone(schedule.TimeZone ?? instanceTimeZone));

    /// <summary>After a timer fired, the same timer one interval later, or null when it has no repeats left.</summary>
    public static ArmedTimer? Repeat(ArmedTimer fired, string timeZone)
    {
        var interval = fired.Definition.Before ?? fired.Definition.After;
        return fired.RepeatsLeft <= 0 || interval is null
            ? null
            : fired with { DueAt = DueTimes.Add(fired.DueAt, interval, DueTimes.FindTimeZone(timeZone), fired.Definition.BusinessDays), RepeatsLeft = fired.RepeatsLeft - 1 };
    }

    private static IEnumerable<WorkflowTransition> Candidates(WorkflowDefinition definition, string state) =>
        definition.SelfAndAncestors(state).SelectMany(s => definition.Transitions.Where(t => t.From.Contains(s.Id)));

    private bool Allows(WorkflowTransition transition, WorkflowInstance instance, WorkflowActor actor) =>
        RoleReason(transition, actor) is null
        && (transition.Guard is null || (catalog.Guards.TryGetValue(transition.Guard, out var guard) && guard.IsSatisfied(instance.Data)));

    private static string? RoleReason(WorkflowTransition transition, WorkflowActor actor, IReadOnlyList<string>? roles = null)
    {
        var action = LowerFirst(transition.Label);
        if (!transition.Allowed.Contains(actor.Role))
        {
            var people = (roles ?? transition.Allowed).Where(r => r != WorkflowRoles.System).ToList();
            return people.Count == 0
                ? $"{transition.Label} happens automatically; no one does it by hand."
                : $"Only {string.Join(" or ", people.Select(WorkflowRoles.Describe))} can {action}.";
        }

        return actor.Role == WorkflowRoles.SiteCoordinator && !actor.BelongsToSubjectSite
            ? $"Only coordinators of this site can {action}."
            : null;
    }

    private static string LowerFirst(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    /// <summary>Collects what a step does, in the order Stateless enters and leaves states.</summary>
    private sealed class StepRecorder(WorkflowInstance instance, DateTimeOffset now)
    {
        private readonly List<PlannedAction> actions = [];
        private readonly List<string> cancelled = [];
        private readonly List<ArmedTimer> armed = [];
        private readonly Dictionary<string, DateTimeOffset> set = [];
        private readonly List<string> cleared = [];
        private readonly Dictionary<string, DateTimeOffset> deadlines = new(instance.Deadlines ?? new Dictionary<string, DateTimeOffset>());
        private readonly TimeZoneInfo zone = DueTimes.FindTimeZone(instance.TimeZone);
        private bool transitionRecorded;

        public void Enter(WorkflowState state)
        {
            Run(ActionPhase.Enter, state.Id, state.OnEnter);
            foreach (var timer in state.Timers)
            {
                if (DueAt(timer) is { } due)
                {
                    armed.Add(new ArmedTimer(timer.Key, state.Id, timer.Fire, due, timer.Repeat, timer));
                }
            }
        }

        public void Exit(WorkflowState state)
        {
            Run(ActionPhase.Exit, state.Id, state.OnExit);
            foreach (var timer in state.Timers)
            {
                cancelled.Add(timer.Key);
                armed.RemoveAll(a => a.Key == timer.Key);
            }
        }

        public void TransitionActions(WorkflowTransition transition)
        {
            // Stateless may also report the automatic move into a composite state's initial sub-state; transition actions run once.
            if (!transitionRecorded)
            {
                transitionRecorded = true;
                Run(ActionPhase.Transition, null, transition.Actions);
            }
        }

        public WorkflowStep Step(string? trigger, string from, string to, string journal) => new()
        {
            Fired = true,
            Trigger = trigger,
            FromState = from,
            ToState = to,
            Journal = journal,
            Actions = actions,
            TimersCancelled = cancelled,
            TimersArmed = armed,
            DeadlinesSet = set,
            DeadlinesCleared = cleared,
        };

        private void Run(ActionPhase phase, string? state, IReadOnlyList<WorkflowAction> list)
        {
            foreach (var action in list)
            {
                actions.Add(new PlannedAction(phase, state, action));
                switch (action)
                {
                    case SetDeadline deadline when DeadlineAt(deadline) is { } due:
                        deadlines[deadline.Name] = due;
                        set[deadline.Name] = due;
                        cleared.Remove(deadline.Name);
                        break;
                    case ClearDeadline clear:
                        deadlines.Remove(clear.Name);
                        set.Remove(clear.Name);
                        cleared.Add(clear.Name);
                        break;
                }
            }
        }

        private DateTimeOffset? DeadlineAt(SetDeadline deadline)
        {
            if (deadline.After is not null)
            {
                return DueTimes.Add(now, deadline.After, zone, deadline.BusinessDays);
            }

            var text = instance.Data.Text(deadline.AtField!);
            if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                // A due date without a time means the end of that day where the site is.
                var endOfDay = day.ToDateTime(new TimeOnly(23, 59));
                return new DateTimeOffset(endOfDay, zone.GetUtcOffset(endOfDay));
            }

            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) ? instant : null;
        }

        private DateTimeOffset? DueAt(WorkflowTimer timer)
        {
            if (timer.Deadline is null)
            {
                return timer.After is null ? null : DueTimes.Add(now, timer.After, zone, timer.BusinessDays);
            }

            if (!deadlines.TryGetValue(timer.Deadline, out var anchor))
            {
                return null;
            }

            return timer.Before is not null
                ? DueTimes.Subtract(anchor, timer.Before, zone, timer.BusinessDays)
                : DueTimes.Add(anchor, timer.After!, zone, timer.BusinessDays);
        }
    }
}
