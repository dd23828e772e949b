using System.CommandLine;
using Midrc.Cli.Operations;
using Midrc.Cli.Workflows;

var root = new RootCommand("midrc: check DICOM before sending, submit to the orchestrator, validate workflows, operate a deployment.");
root.Subcommands.Add(WorkflowCommands.Create());
root.Subcommands.Add(OperatorCommands.Sites());
root.Subcommands.Add(OperatorCommands.Tokens());
return await root.Parse(args).InvokeAsync();
