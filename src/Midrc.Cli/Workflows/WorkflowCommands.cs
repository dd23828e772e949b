using System.CommandLine;
using Midrc.Workflows.Diagrams;
using Midrc.Workflows.Loading;
using Midrc.Workflows.Validation;

namespace Midrc.Cli.Workflows;

/// <summary><c>midrc workflows validate|diagram</c>: check definitions before the host refuses to start, and draw them.</summary>
internal static class WorkflowCommands
{
    private const string DefaultFolder = "workflows";

    public static Command Create()
    {
        var workflows = new Command("workflows", "Validate, draw and migrate the declarative workflow definitions; fire a trigger as an operator.");
        workflows.Subcommands.Add(Validate());
        workflows.Subcommands.Add(Diagram());
        workflows.Subcommands.Add(WorkflowMigrateCommand.Create());
        workflows.Subcommands.Add(WorkflowFireCommand.Create());
        return workflows;
    }

    private static Command Validate()
    {
        var folder = new Argument<string>("folder")
        {
            Description = "Folder holding the definitions (*.yaml) and templates/.",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => DefaultFolder,
        };
        var command = new Command("validate", "Report every problem in the workflow definitions and email templates as file:line:column: message.") { folder };
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var library = WorkflowLibrary.LoadFolder(parseResult.GetValue(folder)!);
            var problems = library.Validate(WorkflowCatalog.Default);
            foreach (var problem in problems)
            {
                output.WriteLine(problem);
            }

            output.WriteLine(problems.Count == 0
                ? $"OK: {library.Definitions.Count} workflow definitions and {library.Templates.Count} email templates are valid."
                : $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")} found.");
            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Diagram()
    {
        var id = new Argument<string>("id") { Description = "Definition id, e.g. submission." };
        var format = new Option<string>("--format") { Description = "mermaid (stateDiagram-v2) or dot (Graphviz).", DefaultValueFactory = _ => "mermaid" };
        format.AcceptOnlyFromAmong("mermaid", "dot");
        var folder = new Option<string>("--folder") { Description = "Folder holding the definitions.", DefaultValueFactory = _ => DefaultFolder };
        var state = new Option<string?>("--state") { Description = "Highlight this state (an instance's current state)." };
        var command = new Command("diagram", "Print a definition's state diagram (latest version).") { id, format, folder, state };
        command.SetAction(parseResult =>
        {
            var library = WorkflowLibrary.LoadFolder(parseResult.GetValue(folder)!);
            var definition = library.Find(parseResult.GetValue(id)!);
            var current = parseResult.GetValue(state);
            var error = definition is null
                ? $"No workflow definition '{parseResult.GetValue(id)}' in {parseResult.GetValue(folder)}; known: {string.Join(", ", library.Definitions.Select(d => d.Id).Distinct())}."
                : current is not null && definition.FindState(current) is null
                    ? $"'{current}' is not a state of {definition.Id}; states: {string.Join(", ", definition.AllStates().Select(s => s.Id))}."
                    : null;
            if (error is not null)
            {
                parseResult.InvocationConfiguration.Error.WriteLine(error);
                return 1;
            }

            var diagramFormat = parseResult.GetValue(format) == "dot" ? DiagramFormat.Dot : DiagramFormat.Mermaid;
            parseResult.InvocationConfiguration.Output.Write(WorkflowDiagrams.Render(definition!, diagramFormat, current));
            return 0;
        });
        return command;
    }
}
