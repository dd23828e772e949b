namespace Midrc.Orchestrator.Submissions;

/// <summary>Settings under <c>Midrc:Intake</c>: the limits that keep untrusted uploads from exhausting the server, and the parsing workers.</summary>
public sealed class IntakeOptions
{
    public const string Section = "Midrc:Intake";

    /// <summary>The largest single file (or archive, or STOW-RS part) accepted, in bytes. Default 2 GiB.</summary>
    public long MaxFileBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>The most bytes one submission may hold, all files together. Default 500 GiB.</summary>
    public long MaxSubmissionBytes { get; set; } = 500L * 1024 * 1024 * 1024;

    /// <summary>The most entries a zip archive may have. Default 100,000.</summary>
    public int MaxArchiveEntries { get; set; } = 100_000;

    /// <summary>An archive entry that expands more than this many times its compressed size is refused as a bomb. Default 200.</summary>
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>Worker processes that parse received files. Default 2.</summary>
    public int Workers { get; set; } = 2;

    /// <summary>A file still being parsed after this long is reported unreadable. Default 60 s.</summary>
    public TimeSpan FileTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The assembly the workers run (<c>dotnet ASSEMBLY --curation-worker</c>); empty means this executable again,
    /// which is right everywhere except when the host is started by a test runner.
    /// </summary>
    public string WorkerAssembly { get; set; } = "";

    /// <summary>The settings problems, each a sentence naming the key; empty when the settings are usable.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxFileBytes < 1024)
        {
            yield return $"Setting {Section}:MaxFileBytes must be at least 1024 bytes.";
        }
        if (MaxSubmissionBytes < MaxFileBytes)
        {
            yield return $"Setting {Section}:MaxSubmissionBytes must be at least {Section}:MaxFileBytes.";
        }
        if (MaxArchiveEntries < 1)
        {
            yield return $"Setting {Section}:MaxArchiveEntries must be at least 1.";
        }
        if (MaxCompressionRatio < 2)
        {
            yield return $"Setting {Section}:MaxCompressionRatio must be at least 2.";
        }
        if (Workers is < 1 or > 64)
        {
            yield return $"Setting {Section}:Workers must be between 1 and 64.";
        }
        if (FileTimeout < TimeSpan.FromSeconds(1))
        {
            yield return $"Setting {Section}:FileTimeout must be at least 00:00:01.";
        }
        if (WorkerAssembly.Length > 0 && !File.Exists(WorkerAssembly))
        {
            yield return $"Setting {Section}:WorkerAssembly names '{WorkerAssembly}', which does not exist; leave it empty to run workers from this executable.";
        }
    }
}
