using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Orchestrator.Submissions;

/// <summary>What a received file is: a DICOM object or one clinical CSV.</summary>
public enum ReceivedFileKind
{
    Dicom,
    Clinical,
}

/// <summary>
/// One file as it arrived in a submission, before the submission is complete: its bytes are durably in the
/// quarantine store and it has been parsed, but nothing is indexed until the site completes the submission.
/// These rows are what makes an interrupted upload resumable.
/// </summary>
public sealed class ReceivedFile
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SubmissionId { get; set; }
    public Submission? Submission { get; set; }

    /// <summary>Lower-case hex SHA-256 of the bytes (the quarantine store's key).</summary>
    public required string Sha256 { get; init; }

    /// <summary>The name (relative path) the site sent the file under.</summary>
    public required string Name { get; set; }
    public long SizeBytes { get; init; }
    public ReceivedFileKind Kind { get; init; }

    /// <summary>The clinical node of a CSV (<c>case</c>, <c>visit</c>, ...); empty for DICOM.</summary>
    public string ClinicalNode { get; init; } = "";
    public bool Readable { get; init; }
    public string SopClassUid { get; init; } = "";
    public string SopInstanceUid { get; init; } = "";

    /// <summary>The parse result as JSON (<see cref="ReceivedAnalysis"/>): index attributes and per-file findings.</summary>
    public string Analysis { get; init; } = "{}";
    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The submission's round the file arrived in (see <see cref="Submission.Round"/>).</summary>
    public int Round { get; init; } = 1;
}

/// <summary>What is kept of a file's analysis until the submission is indexed.</summary>
public sealed record ReceivedAnalysis(IndexAttributes Index, IReadOnlyList<Finding> Findings);
