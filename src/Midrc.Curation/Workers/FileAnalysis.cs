using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Workers;

/// <summary>What curation learned about one file: small enough to cross a process boundary (no element dump).</summary>
public sealed record FileAnalysis
{
    /// <summary>The path as given.</summary>
    public required string Path { get; init; }

    /// <summary>True when the file could be read as DICOM.</summary>
    public required bool Readable { get; init; }

    /// <summary>Why the file could not be read, for a site coordinator; null when readable.</summary>
    public string? UnreadableReason { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>The attributes the index and the cross-file checks need; empty when unreadable.</summary>
    public IndexAttributes Index { get; init; } = new();

    /// <summary>The findings of every file check, plus a <c>parse.</c> finding when the file is unreadable.</summary>
    public IReadOnlyList<Finding> Findings { get; init; } = [];
}

/// <summary>The stable rule ids for files that cannot be read.</summary>
public static class ParseRules
{
    /// <summary>The file is not DICOM, is truncated, or breaks a size limit.</summary>
    public const string Unreadable = "parse.unreadable";

    /// <summary>The parser crashed on the file (the worker process died while reading it).</summary>
    public const string WorkerCrashed = "parse.worker-crashed";

    /// <summary>Reading the file took longer than the per-file time limit.</summary>
    public const string Timeout = "parse.timeout";

    /// <summary>A file check failed with an error on this file.</summary>
    public const string CheckFailed = "parse.check-failed";
}
