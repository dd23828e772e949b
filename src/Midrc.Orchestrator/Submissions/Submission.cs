using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;

namespace Midrc.Orchestrator.Submissions;

/// <summary>How a submission reached the center.</summary>
public enum SubmissionChannel
{
    Cli,
    Browser,
    StowRs,
    Demo,
}

/// <summary>Where a submission is; the submission workflow moves it along.</summary>
public enum SubmissionStatus
{
    /// <summary>Files are arriving; not yet visible to checks.</summary>
    Receiving,

    /// <summary>The site said it is done; the received files are being indexed and checked.</summary>
    Analyzing,
    Received,
    QaRunning,
    AwaitingFixes,
    DeidVerification,
    Accepted,
    Quarantined,
}

/// <summary>A batch of DICOM files and clinical data sent by a site, possibly in answer to a data request.</summary>
public sealed class Submission : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public Guid? SolicitationId { get; set; }
    public Solicitation? Solicitation { get; set; }
    public SubmissionChannel Channel { get; set; }
    public SubmissionStatus Status { get; set; }

    /// <summary>What the site says it sent (from its manifest), reconciled by the count checks.</summary>
    public int? DeclaredFiles { get; set; }
    public int? DeclaredStudies { get; set; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }
    public required string SubmittedBy { get; set; }

    /// <summary>
    /// The round of files: 1 for what was first sent; each batch of corrected files sent during the fix loop is the next
    /// round. While fixes are awaited, uploads go to round <c>Round + 1</c> until the site completes them.
    /// </summary>
    public int Round { get; set; } = 1;

    /// <summary>The last round indexed and checked; less than <see cref="Round"/> while a completed round waits for its job.</summary>
    public int IndexedRound { get; set; }
    public List<Instance> Instances { get; init; } = [];
    public long Version { get; set; }
}

/// <summary>
/// Received bytes, stored once by content (SHA-256) in the quarantine store, whatever file or
/// submission they came with. MD5 is kept because data commons manifests ask for it.
/// </summary>
public sealed class StoredObject
{
    /// <summary>Lower-case hex SHA-256 of the bytes; the key of the object in the store.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Lower-case hex MD5 of the bytes.</summary>
    public required string Md5 { get; init; }
    public long SizeBytes { get; init; }
    public required string StorageKey { get; init; }
    public DateTimeOffset StoredAt { get; init; }
}

/// <summary>A DICOM study as the index knows it (from any submission of one site).</summary>
public sealed class Study
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public required string StudyInstanceUid { get; set; }

    /// <summary>The site's pseudonym for the patient (DICOM Patient ID), which is also the clinical case id.</summary>
    public required string PatientPseudonym { get; set; }
    public string Description { get; set; } = "";
    public List<Series> Series { get; init; } = [];
}

/// <summary>A DICOM series.</summary>
public sealed class Series
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid StudyId { get; set; }
    public Study? Study { get; set; }
    public required string SeriesInstanceUid { get; set; }
    public required string Modality { get; set; }
    public string BodyPart { get; set; } = "";
    public string Description { get; set; } = "";
    public List<Instance> Instances { get; init; } = [];
}

/// <summary>Where a received instance is on its way out of quarantine.</summary>
public enum QuarantineState
{
    /// <summary>Received; not yet verified. Never served outside its site and the program managers.</summary>
    Quarantined,

    /// <summary>Passed QA and de-identification verification: may enter a release.</summary>
    Verified,

    /// <summary>Failed verification: stays in quarantine until replaced, never released.</summary>
    Rejected,

    /// <summary>Replaced by a corrected file with the same SOP Instance UID (a later round or submission); never released.</summary>
    Superseded,
}

/// <summary>One received DICOM instance (file) in one submission.</summary>
public sealed class Instance : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SeriesId { get; set; }
    public Series? Series { get; set; }
    public Guid SubmissionId { get; set; }
    public Submission? Submission { get; set; }
    public required string SopInstanceUid { get; set; }
    public required string SopClassUid { get; set; }
    public string TransferSyntaxUid { get; set; } = "";
    public required string Sha256 { get; set; }
    public StoredObject? Stored { get; set; }

    /// <summary>The file name the site sent, for reports the coordinator recognises.</summary>
    public string OriginalName { get; set; } = "";
    public QuarantineState QuarantineState { get; set; }
    public DateTimeOffset ReceivedAt { get; init; }
    public long Version { get; set; }
}
