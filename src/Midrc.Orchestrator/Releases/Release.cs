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
    Verifying,
    Verified,
    Publishing,
    Published,
    Failed,
}

/// <summary>How far the package of a frozen release has been built; each step is done once and survives a crash.</summary>
public enum ReleaseBuildStep
{
    /// <summary>Nothing collected yet (open, or reopened).</summary>
    None,

    /// <summary>The items are fixed in the database.</summary>
    Collected,

    /// <summary>Objects copied and metadata written in the staging folder.</summary>
    Staged,

    /// <summary>Every staged object re-read and checked; manifests written and their hashes recorded.</summary>
    Verified,

    /// <summary>The staging folder was renamed into place; the release folder is never written again.</summary>
    Published,
}

/// <summary>
/// A release batch: the exams accepted since the previous release, packaged with a manifest a data commons can ingest.
/// There is always one open release per program collecting nothing until it freezes; once published it is immutable.
/// </summary>
public sealed class Release : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProgramId { get; set; }
    public CollectionProgram? Program { get; set; }

    /// <summary>Sequential release number within the program (1, 2, 3, ...); unique, so two processes cannot open the same one.</summary>
    public int Number { get; set; }
    public required string Title { get; set; }
    public ReleaseState State { get; set; }
    public ReleaseBuildStep BuildStep { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? FrozenAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    /// <summary>Hex SHA-256 of the open part's manifest, recorded at verification; the published folder must still match it.</summary>
    public string? ManifestSha256 { get; set; }

    /// <summary>Hex SHA-256 of the sequestered part's manifest, when the release holds cases back.</summary>
    public string? SequesteredManifestSha256 { get; set; }
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

/// <summary>
/// One instance in a release (or its withdrawal), with what it was released as. The values are copied at freeze so a
/// published release stays a complete record whatever happens to the index afterwards.
/// </summary>
public sealed class ReleaseItem
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ReleaseId { get; set; }
    public Release? Release { get; set; }
    public Guid InstanceId { get; set; }
    public Instance? Instance { get; set; }
    public required string Sha256 { get; set; }
    public string Md5 { get; set; } = "";
    public long SizeBytes { get; set; }
    public ReleaseChange Change { get; set; }

    /// <summary>Kept back from the open release (the sequestered split); packaged in its own part.</summary>
    public bool Sequestered { get; set; }

    public Guid SiteId { get; set; }
    public string SiteCode { get; set; } = "";

    /// <summary>The site's pseudonymous case id (DICOM Patient ID).</summary>
    public string CaseId { get; set; } = "";
    public string StudyInstanceUid { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public string SopInstanceUid { get; set; } = "";
    public string Modality { get; set; } = "";

    /// <summary>Where the object is in its package part, relative to the part's manifest.</summary>
    public string ObjectPath { get; set; } = "";
}

/// <summary>An exam a program manager kept out of a release before it froze, with who and why; it waits for a later release.</summary>
public sealed class ReleaseExclusion
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ReleaseId { get; set; }
    public Release? Release { get; set; }
    public Guid StudyId { get; set; }
    public Study? Study { get; set; }
    public required string ExcludedBy { get; set; }
    public required string Reason { get; set; }
    public DateTimeOffset ExcludedAt { get; init; }
}

/// <summary>
/// A site retracting a patient. Published releases never change: the withdrawal takes effect in the next release to
/// freeze, which lists the patient's released objects as withdrawn; the patient's files are never released again.
/// </summary>
public sealed class Withdrawal
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }

    /// <summary>The site's pseudonymous case id.</summary>
    public required string CaseId { get; set; }
    public required string Reason { get; set; }
    public required string RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; init; }

    /// <summary>The release the withdrawal took effect in; null until one freezes.</summary>
    public Guid? ReleaseId { get; set; }
}

/// <summary>
/// Who is building a program's release: one row per program, taken by a conditional update and renewed while the
/// work goes on, so only one release build runs at a time across all processes; a crashed holder's lease expires.
/// </summary>
public sealed class ReleaseLease
{
    public Guid ProgramId { get; init; }
    public required string Holder { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}
