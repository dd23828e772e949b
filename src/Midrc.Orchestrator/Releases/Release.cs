using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Releases;

/// <summary>Where a release is; the release workflow moves it along.</summary>
public enum ReleaseState
{
    Open,
    Held,
    Frozen,
    Verified,
    Published,
    Failed,
}

/// <summary>A release batch: immutable once published, with a manifest a data commons can ingest.</summary>
public sealed class Release : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProgramId { get; set; }
    public CollectionProgram? Program { get; set; }

    /// <summary>Sequential release number within the program (1, 2, 3, ...).</summary>
    public int Number { get; set; }
    public required string Title { get; set; }
    public ReleaseState State { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FrozenAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Hex SHA-256 of the published manifest.</summary>
    public string? ManifestSha256 { get; set; }
    public string? FailureReason { get; set; }
    public List<ReleaseItem> Items { get; init; } = [];
    public long Version { get; set; }
}

/// <summary>What a release item does relative to the previous release.</summary>
public enum ReleaseChange
{
    Added,
    Corrected,
    Withdrawn,
}

/// <summary>One instance in a release (or its withdrawal), with the checksum it was released with.</summary>
public sealed class ReleaseItem
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ReleaseId { get; set; }
    public Release? Release { get; set; }
    public Guid InstanceId { get; set; }
    public Instance? Instance { get; set; }
    public required string Sha256 { get; set; }
    public ReleaseChange Change { get; set; }

    /// <summary>Excluded by a program manager before freeze: kept for the record, not packaged.</summary>
    public bool Excluded { get; set; }
}
