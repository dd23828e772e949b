using System.CommandLine;
using Midrc.Cli.Native;
using Midrc.Cli.Submit;
using Midrc.Cli.Verify;
using Midrc.Curation.Reports;
using Midrc.Curation.Workers;

// `midrc verify` parses files in child processes of this same executable.
if (CurationWorker.TryRun(args, FileVerifier.CreateChecks))
{
    return 0;
}
if (args is [VerifyCommand.Name or SubmitCommand.Name, ..])
{
    var root = new RootCommand(VerifyCommand.RootDescription) { VerifyCommand.Create(), SubmitCommand.Create() };
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
}
return ManagedMidrc.Run(args, Console.Error);
