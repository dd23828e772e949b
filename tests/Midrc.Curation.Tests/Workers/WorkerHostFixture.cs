using Midrc.Curation.Workers;

namespace Midrc.Curation.Tests.Workers;

/// <summary>Starts pools whose workers are the small test executable built next to the tests.</summary>
internal static class TestWorkers
{
    public static WorkerCommand Command { get; } =
        WorkerCommand.ForAssembly(Path.Combine(AppContext.BaseDirectory, "Midrc.Curation.WorkerHost.dll"));

    public static CurationWorkerPool Pool(int workers = 2, string settings = "required-sop-instance-uid", TimeSpan? fileTimeout = null, Dictionary<string, string>? environment = null, int batchSize = 16) =>
        new(new CurationWorkerPoolOptions
        {
            WorkerCount = workers,
            Command = Command,
            ChecksSettings = settings,
            FileTimeout = fileTimeout ?? TimeSpan.FromSeconds(60),
            Environment = environment ?? [],
            BatchSize = batchSize,
        });
}
