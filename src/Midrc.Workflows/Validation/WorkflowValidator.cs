using Midrc.Workflows.Loading;
using Midrc.Workflows.Model;
using Midrc.Workflows.Templates;
using Midrc.Workflows.Timing;

namespace Midrc.Workflows.Validation;

/// <summary>Checks what a definition means, beyond its syntax: names that must exist, states that can be reached and left, durations, cron, time zones, templates.</summary>
public static class WorkflowValidator
{
    /// <summary>The subjects a workflow can be about.</summary>
    public static IReadOnlyList<string> Subjects { get; } = ["site", "solicitation", "submission", "release"];

    /// <summary>Every semantic problem in the library's definitions and templates.</summary>
    public static IReadOnlyList<WorkflowProblem> Validate(WorkflowLibrary library, WorkflowCatalog catalog)
    {
        var problems = new List<WorkflowProblem>();
        foreach (var duplicate in library.Definitions.GroupBy(d => (d.Id, d.Version)).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
        {
            problems.Add(new WorkflowProblem(duplicate.At("id"), $"Definition '{duplicate.Id}' version {duplicate.Version} is defined more than once."));
        }

        foreach (var definition in library.Definitions)
        {
            new DefinitionChecker(definition, library, catalog, problems).Check();
        }

        foreach (var part in library.Templates.SelectMany(t => t.Parts))
        {
            problems.AddRange(EmailTemplates.UnknownFields(part));
        }

        return problems;
    }

    private sealed class DefinitionChecker(WorkflowDefinition definition, WorkflowLibrary library, WorkflowCatalog catalog, List<WorkflowProblem> problems)
    {
        private readonly Dictionary<string, WorkflowState> states = [];
        private readonly HashSet<string> triggers = definition.Triggers().ToHashSet();
        private readonly HashSet<string> deadlines = [];

        public void Check()
        {
            CheckHeader();
            foreach (var state in definition.AllStates())
            {
                if (!states.TryAdd(state.Id, state))
                {
                    Report(state.At("id"), $"State '{state.Id}' is defined more than once.");
                }
            }

            foreach (var state in definition.AllStates())
            {
                CheckState(state);
            }

            foreach (var transition in definition.Transitions)
            {
                CheckTransition(transition);
            }

            CheckDuplicateTransitions();
            foreach (var timer in definition.AllStates().SelectMany(s => s.Timers))
            {
                CheckTimer(timer);
            }

            foreach (var schedule in definition.Schedules)
            {
                CheckSchedule(schedule);
            }

            foreach (var migration in definition.Migrations.Where(m => !states.ContainsKey(m.To)))
            {
                Report(migration.At("to"), $"Migration target '{migration.To}' is not a state of this definition.");
            }

            CheckReachability();
        }

        private void CheckHeader()
        {
            if (definition.Version < 1)
            {
                Report(definition.At("version"), "'version' must be 1 or more.");
            }

            if (definition.Subject.Length > 0 && !Subjects.Contains(definition.Subject))
            {
                Report(definition.At("subject"), $"Unknown subject '{definition.Subject}'; expected one of: {string.Join(", ", Subjects)}.");
            }

            if (definition.States.Count == 0)
            {
                Report(definition.Location, "The definition has no states.");
            }
            else if (definition.Initial.Length > 0 && !definition.States.Any(s => s.Id == definition.Initial))
            {
                Report(definition.At("initial"), $"Initial state '{definition.Initial}' is not a top-level state of this definition.");
            }
        }

        private void CheckState(WorkflowState state)
        {
            // Deadline names are collected before timers are checked, so order in the file does not matter.
            foreach (var action in state.OnEnter.Concat(state.OnExit))
            {
                CheckAction(action);
            }

            if (state.Children.Count > 0 && state.Initial is null)
            {
                Report(state.Location, $"State '{state.Id}' has sub-states, so it needs 'initial' naming the one entered first.");
            }
            else if (state.Initial is not null && !state.Children.Any(c => c.Id == state.Initial))
            {
                Report(state.At("initial"), $"Initial state '{state.Initial}' is not a sub-state of '{state.Id}'.");
            }

            if (state.Final && state.Children.Count > 0)
            {
                Report(state.At("final"), $"Final state '{state.Id}' cannot have sub-states.");
            }
        }

        private void CheckTransition(WorkflowTransition transition)
        {
            for (var i = 0; i < transition.From.Count; i++)
            {
                var from = transition.From[i];
                if (!states.TryGetValue(from, out var source))
                {
                    Report(transition.At($"from[{i}]"), $"Unknown state '{from}' in 'from' of transition '{transition.Trigger}'.");
                }
                else if (source.Final)
                {
                    Report(transition.At($"from[{i}]"), $"Transition '{transition.Trigger}' leaves final state '{from}'; a final state ends the workflow.");
                }
            }

            if (transition.To is not null && !states.ContainsKey(transition.To))
            {
                Report(transition.At("to"), $"Unknown state '{transition.To}' in 'to' of transition '{transition.Trigger}'.");
            }

            if (transition.Guard is not null && !catalog.Guards.ContainsKey(transition.Guard))
            {
                Report(transition.At("guard"), $"Unknown guard '{transition.Guard}'; known guards: {string.Join(", ", catalog.Guards.Keys)}.");
            }

            for (var i = 0; i < transition.Allowed.Count; i++)
            {
                CheckRole(transition.Allowed[i], transition.At($"allowed[{i}]"));
            }

            foreach (var action in transition.Actions)
            {
                CheckAction(action);
            }
        }

        private void CheckDuplicateTransitions()
        {
            var seen = new HashSet<(string Trigger, string From, string? Guard)>();
            foreach (var transition in definition.Transitions)
            {
                for (var i = 0; i < transition.From.Count; i++)
                {
                    if (!seen.Add((transition.Trigger, transition.From[i], transition.Guard)))
                    {
                        Report(transition.At($"from[{i}]"), $"Trigger '{transition.Trigger}' from state '{transition.From[i]}' is defined more than once; give each alternative a different guard.");
                    }
                }
            }
        }

        private void CheckAction(WorkflowAction action)
        {
            switch (action)
            {
                case SendEmail email:
                    if (email.Template.Length > 0 && library.FindTemplate(email.Template) is null)
                    {
                        Report(email.At("template"), $"Unknown email template '{email.Template}'; add the folder templates/{email.Template}/ with {string.Join(", ", EmailTemplate.PartFiles)}.");
                    }

                    CheckRole(email.To, email.At("to"));
                    break;
                case EnqueueJob job when !catalog.Jobs.ContainsKey(job.Job):
                    Report(job.Location, $"Unknown job '{job.Job}'; known jobs: {string.Join(", ", catalog.Jobs.Keys)}.");
                    break;
                case StartWorkflow start when library.Find(start.Definition) is null:
                    Report(start.Location, $"Unknown child workflow '{start.Definition}'; no definition in this folder has that id.");
                    break;
                case SetDeadline set:
                    deadlines.Add(set.Name);
                    CheckBusinessDays(set.After, set.BusinessDays, set.At("after"));
                    break;
            }
        }

        private void CheckTimer(WorkflowTimer timer)
        {
            if (timer.Fire.Length > 0 && !triggers.Contains(timer.Fire))
            {
                Report(timer.At("fire"), $"Timer fires unknown trigger '{timer.Fire}'; no transition handles it.");
            }

            if (timer.Deadline is not null && !deadlines.Contains(timer.Deadline))
            {
                Report(timer.At("deadline"), $"Timer refers to deadline '{timer.Deadline}', which no action sets.");
            }

            CheckBusinessDays(timer.Before ?? timer.After, timer.BusinessDays, timer.At(timer.Before is null ? "after" : "before"));
        }

        private void CheckSchedule(WorkflowSchedule schedule)
        {
            if (schedule.Cron.Length > 0 && !DueTimes.IsValidCron(schedule.Cron))
            {
                Report(schedule.At("cron"), $"'{schedule.Cron}' is not a valid cron expression; use five fields: minute hour day-of-month month day-of-week, e.g. '0 14 * * TUE#3'.");
            }

            if (schedule.TimeZone is not null && !DueTimes.TryFindTimeZone(schedule.TimeZone, out _))
            {
                Report(schedule.At("time-zone"), $"Unknown time zone '{schedule.TimeZone}'; use an IANA name such as America/Chicago.");
            }

            if (schedule.Fire.Length > 0 && !triggers.Contains(schedule.Fire))
            {
                Report(schedule.At("fire"), $"Schedule fires unknown trigger '{schedule.Fire}'; no transition handles it.");
            }
        }

        private void CheckBusinessDays(IsoDuration? duration, bool businessDays, SourceLocation location)
        {
            if (businessDays && duration is { HasCalendarMonths: true })
            {
                Report(location, $"'{duration.Text}' has months or years, which cannot be counted in business days; use days or weeks.");
            }
        }

        private void CheckRole(string role, SourceLocation location)
        {
            if (!catalog.Roles.Contains(role))
            {
                Report(location, $"Unknown role '{role}'; expected one of: {string.Join(", ", catalog.Roles)}.");
            }
        }

        private void CheckReachability()
        {
            if (!states.ContainsKey(definition.Initial))
            {
                return;
            }

            var reached = new HashSet<string>();
            var pending = new Stack<string>([definition.Initial]);
            while (pending.TryPop(out var next))
            {
                foreach (var state in definition.SelfAndInitialDescendants(next).SelectMany(s => definition.SelfAndAncestors(s.Id)).Where(s => reached.Add(s.Id)))
                {
                    foreach (var target in definition.Transitions.Where(t => t.To is not null && t.From.Contains(state.Id)).Select(t => t.To!).Where(states.ContainsKey))
                    {
                        pending.Push(target);
                    }
                }
            }

            foreach (var state in definition.AllStates().Where(s => !reached.Contains(s.Id)))
            {
                Report(state.At("id"), $"State '{state.Id}' cannot be reached from the initial state '{definition.Initial}'.");
            }

            foreach (var state in definition.AllStates().Where(s => s is { Final: false, Children.Count: 0 } && reached.Contains(s.Id)))
            {
                var leaves = definition.SelfAndAncestors(state.Id).Any(s => definition.Transitions.Any(t => !t.IsInternal && t.From.Contains(s.Id)));
                if (!leaves)
                {
                    Report(state.At("id"), $"State '{state.Id}' is not final but no transition leaves it; add a transition or mark it 'final: true'.");
                }
            }
        }

        private void Report(SourceLocation location, string message) => problems.Add(new WorkflowProblem(location, message));
    }
}
