using Midrc.Curation.Dicom;

namespace Midrc.Curation.Workers;

/// <summary>How many workers, how to start them, which checks they run, and the limits they read with.</summary>
public sealed record CurationWorkerPoolOptions
{
    /// <summary>Number of worker processes. Default: the processor count.</summary>
    public int WorkerCount { get; init; } = System.Environment.ProcessorCount;

    /// <summary>How to start a worker; null means this program again (<see cref="WorkerCommand.ForCurrentProcess"/>).</summary>
    public WorkerCommand? Command { get; init; }

    /// <summary>Handed unchanged to the checks factory registered with <see cref="CurationWorker.TryRun"/> in each worker.</summary>
    public string ChecksSettings { get; init; } = "";

    /// <summary>A file still being read after this long is reported unreadable and its worker is replaced. Default 60 s.</summary>
    public TimeSpan FileTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>At most this many paths are sent to a worker at once. Default 16.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>The reading limits the workers apply.</summary>
    public DicomReaderOptions ReaderOptions { get; init; } = DicomReaderOptions.Default;

    /// <summary>
    /// Start every worker process when the pool is created, not at first use, so that their start-up (a runtime, the
    /// checks) overlaps whatever the caller does before it has files to give. Default false.
    /// </summary>
    public bool StartWorkersAtOnce { get; init; }

    /// <summary>Extra environment variables for the worker processes.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
