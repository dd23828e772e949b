using Midrc.Workflows.Model;
using Midrc.Workflows.Timing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Midrc.Workflows.Loading;

/// <summary>The outcome of reading one definition file: the definition when it could be built, and every problem with its position.</summary>
public sealed record WorkflowLoadResult(WorkflowDefinition? Definition, IReadOnlyList<WorkflowProblem> Problems);

/// <summary>Reads workflow definitions from YAML, keeping the line and column of every value for error messages.</summary>
public static class WorkflowLoader
{
    private static readonly string[] DefinitionKeys = ["id", "version", "title", "subject", "initial", "states", "transitions", "schedules", "migrate"];
    private static readonly string[] StateKeys = ["id", "title", "initial", "final", "states", "on-enter", "on-exit", "timers"];
    private static readonly string[] TransitionKeys = ["trigger", "from", "to", "guard", "allowed", "label", "journal", "actions"];
    private static readonly string[] ActionKinds = ["email", "enqueue", "start", "deadline"];
    private static readonly string[] EmailKeys = ["template", "to"];
    private static readonly string[] DeadlineKeys = ["set", "clear", "after", "at", "business-days"];
    private static readonly string[] TimerKeys = ["after", "before", "deadline", "business-days", "fire", "repeat"];
    private static readonly string[] ScheduleKeys = ["cron", "time-zone", "fire"];
    private static readonly string[] MigrationKeys = ["from-state", "to"];

    /// <summary>Reads a definition file.</summary>
    public static WorkflowLoadResult LoadFile(string path) => LoadText(File.ReadAllText(path), path);

    /// <summary>Reads definition text; <paramref name="file"/> is the name used in problem locations.</summary>
    public static WorkflowLoadResult LoadText(string yaml, string file)
    {
        var problems = new List<WorkflowProblem>();
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(yaml));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException error)
        {
            var message = error.InnerException?.Message ?? error.Message;
            problems.Add(new WorkflowProblem(new SourceLocation(file, (int)error.Start.Line, (int)error.Start.Column), $"YAML syntax error: {TrimMarks(message)}"));
            return new WorkflowLoadResult(null, problems);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some unbalanced flow collections; the last event it read is where reading stopped.
            var mark = parser.Current?.End ?? Mark.Empty;
            problems.Add(new WorkflowProblem(new SourceLocation(file, (int)mark.Line, (int)mark.Column), "YAML syntax error: the file cannot be read past this point; check for an unclosed '[', '{' or quote."));
            return new WorkflowLoadResult(null, problems);
        }

        if (stream.Documents.Count != 1)
        {
            problems.Add(new WorkflowProblem(new SourceLocation(file, 1, 1), "A definition file holds exactly one YAML document."));
            return new WorkflowLoadResult(null, problems);
        }

        var reader = new DefinitionReader(file, problems);
        var definition = reader.Definition(stream.Documents[0].RootNode);
        return new WorkflowLoadResult(definition, problems);
    }

    private static string TrimMarks(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 40) - (Line: ...): " which the location already says.
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line", StringComparison.Ordinal) && cut >= 0 ? message[(cut + 3)..] : message;
    }

    private sealed class DefinitionReader(string file, List<WorkflowProblem> problems)
    {
        public WorkflowDefinition Definition(YamlNode root)
        {
            var map = YamlMap.Open(root, "the definition", DefinitionKeys, file, problems);
            var id = map.Text("id", "the definition", required: true) ?? "";
            return new WorkflowDefinition
            {
                Id = id,
                Version = map.Integer("version", "the definition", required: true) ?? 0,
                Title = map.Text("title", "the definition", required: true) ?? id,
                Subject = map.Text("subject", "the definition", required: true) ?? "",
                Initial = map.Text("initial", "the definition", required: true) ?? "",
                States = map.Items("states", "the definition").Select(node => State(node, null)).ToList(),
                Transitions = map.Items("transitions", "the definition").Select(Transition).ToList(),
                Schedules = map.Items("schedules", "the definition").Select(Schedule).ToList(),
                Migrations = map.Items("migrate", "the definition").Select(Migration).ToList(),
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private WorkflowState State(YamlNode node, string? parent)
        {
            var map = YamlMap.Open(node, "a state", StateKeys, file, problems);
            var id = map.Text("id", "a state", required: true) ?? "";
            var what = $"state '{id}'";
            return new WorkflowState
            {
                Id = id,
                Title = map.Text("title", what) ?? SentenceCase(id),
                Parent = parent,
                Initial = map.Text("initial", what),
                Final = map.Flag("final", what),
                Children = map.Items("states", what).Select(child => State(child, id)).ToList(),
                OnEnter = map.Items("on-enter", what).Select(Action).OfType<WorkflowAction>().ToList(),
                OnExit = map.Items("on-exit", what).Select(Action).OfType<WorkflowAction>().ToList(),
                Timers = map.Items("timers", what).Select(timer => Timer(timer, id)).ToList(),
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private WorkflowTransition Transition(YamlNode node)
        {
            var map = YamlMap.Open(node, "a transition", TransitionKeys, file, problems);
            var trigger = map.Text("trigger", "a transition", required: true) ?? "";
            var what = $"transition '{trigger}'";
            return new WorkflowTransition
            {
                Trigger = trigger,
                From = map.Names("from", what, required: true),
                To = map.Text("to", what),
                Guard = map.Text("guard", what),
                Allowed = map.Names("allowed", what, required: true),
                Label = map.Text("label", what, required: true) ?? SentenceCase(trigger),
                Journal = map.Text("journal", what, required: true) ?? SentenceCase(trigger),
                Actions = map.Items("actions", what).Select(Action).OfType<WorkflowAction>().ToList(),
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private WorkflowAction? Action(YamlNode node)
        {
            var location = YamlMap.Locate(node, file);
            if (node is not YamlMappingNode { Children.Count: 1 } mapping || mapping.Children.Keys.Single() is not YamlScalarNode { Value: { } kind })
            {
                problems.Add(new WorkflowProblem(location, $"An action is a mapping with one key, one of: {string.Join(", ", ActionKinds)}."));
                return null;
            }

            var value = mapping.Children.Values.Single();
            switch (kind)
            {
                case "email":
                    var email = YamlMap.Open(value, "an email action", EmailKeys, file, problems);
                    return new SendEmail
                    {
                        Template = email.Text("template", "an email action", required: true) ?? "",
                        To = email.Text("to", "an email action", required: true) ?? "",
                        Location = email.Location,
                        FieldLocations = email.FieldLocations,
                    };
                case "enqueue" when value is YamlScalarNode { Value.Length: > 0 } job:
                    return new EnqueueJob { Job = job.Value!, Location = YamlMap.Locate(value, file) };
                case "start" when value is YamlScalarNode { Value.Length: > 0 } child:
                    return new StartWorkflow { Definition = child.Value!, Location = YamlMap.Locate(value, file) };
                case "enqueue" or "start":
                    problems.Add(new WorkflowProblem(YamlMap.Locate(value, file), $"'{kind}' takes a single name."));
                    return null;
                case "deadline":
                    return Deadline(value);
                default:
                    problems.Add(new WorkflowProblem(location, $"Unknown action '{kind}'; expected one of: {string.Join(", ", ActionKinds)}."));
                    return null;
            }
        }

        private WorkflowAction? Deadline(YamlNode node)
        {
            var map = YamlMap.Open(node, "a deadline action", DeadlineKeys, file, problems);
            var clear = map.Text("clear", "a deadline action");
            var set = map.Text("set", "a deadline action");
            if ((clear is null) == (set is null))
            {
                problems.Add(new WorkflowProblem(map.Location, "A deadline action either sets a deadline ('set' with 'after' or 'at') or clears one ('clear')."));
                return null;
            }

            if (clear is not null)
            {
                return new ClearDeadline { Name = clear, Location = map.Location, FieldLocations = map.FieldLocations };
            }

            var after = Duration(map, "after", $"deadline '{set}'");
            var at = map.Text("at", $"deadline '{set}'");
            if (map.Has("after") == (at is not null))
            {
                problems.Add(new WorkflowProblem(map.Location, $"Deadline '{set}' needs either 'after' (a duration) or 'at' (a data field holding the date)."));
            }

            return new SetDeadline
            {
                Name = set!,
                After = after,
                AtField = at,
                BusinessDays = map.Flag("business-days", $"deadline '{set}'"),
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private WorkflowTimer Timer(YamlNode node, string state)
        {
            var map = YamlMap.Open(node, $"a timer of state '{state}'", TimerKeys, file, problems);
            var what = $"a timer of state '{state}'";
            var after = Duration(map, "after", what);
            var before = Duration(map, "before", what);
            var deadline = map.Text("deadline", what);
            if ((map.Has("after") == map.Has("before")) || (map.Has("before") && deadline is null))
            {
                problems.Add(new WorkflowProblem(map.Location, "A timer has either 'after' (from entering the state, or from its 'deadline') or 'before' together with 'deadline'."));
            }

            return new WorkflowTimer
            {
                State = state,
                After = after,
                Before = before,
                Deadline = deadline,
                BusinessDays = map.Flag("business-days", what),
                Fire = map.Text("fire", what, required: true) ?? "",
                Repeat = map.Integer("repeat", what) ?? 0,
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private WorkflowSchedule Schedule(YamlNode node)
        {
            var map = YamlMap.Open(node, "a schedule", ScheduleKeys, file, problems);
            return new WorkflowSchedule
            {
                Cron = map.Text("cron", "a schedule", required: true) ?? "",
                TimeZone = map.Text("time-zone", "a schedule"),
                Fire = map.Text("fire", "a schedule", required: true) ?? "",
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private StateMigration Migration(YamlNode node)
        {
            var map = YamlMap.Open(node, "a migration", MigrationKeys, file, problems);
            return new StateMigration
            {
                FromState = map.Text("from-state", "a migration", required: true) ?? "",
                To = map.Text("to", "a migration", required: true) ?? "",
                Location = map.Location,
                FieldLocations = map.FieldLocations,
            };
        }

        private IsoDuration? Duration(YamlMap map, string key, string what)
        {
            var text = map.Text(key, what);
            if (text is null)
            {
                return null;
            }

            if (IsoDuration.TryParse(text, out var duration))
            {
                return duration;
            }

            problems.Add(new WorkflowProblem(map.FieldLocations[key], $"'{text}' is not an ISO 8601 duration; write e.g. P7D (7 days), P2W (2 weeks) or PT12H (12 hours)."));
            return null;
        }

        private static string SentenceCase(string id) =>
            id.Length == 0 ? id : char.ToUpperInvariant(id[0]) + id[1..].Replace('-', ' ');
    }
}
