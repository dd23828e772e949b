using Midrc.Curation.Tests.WorkerHost;
using Midrc.Curation.Workers;

// Serves the tests' worker pools. The host and the midrc command call TryRun the same way, with the real checks.
if (CurationWorker.TryRun(args, TestChecks.Create))
{
    return 0;
}
await Console.Error.WriteLineAsync($"This program only runs as a curation worker: pass {CurationWorker.ReservedArgument}.");
return 2;
