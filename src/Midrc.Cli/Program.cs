using System.CommandLine;
using Midrc.Cli.Operations;
using Midrc.Cli.Submit;
using Midrc.Cli.Verify;
using Midrc.Cli.Workflows;
using Midrc.Curation.Reports;
using Midrc.Curation.Workers;

// `midrc verify` parses files in child processes of this same executable.
if (CurationWorker.TryRun(args, FileVerifier.CreateChecks))
{
    return 0;
}

var root = new RootCommand(VerifyCommand.RootDescription);
root.Subcommands.Add(VerifyCommand.Create());
root.Subcommands.Add(WorkflowCommands.Create());
root.Subcommands.Add(OperatorCommands.Sites());
root.Subcommands.Add(OperatorCommands.Tokens());
root.Subcommands.Add(SubmitCommand.Create());
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
