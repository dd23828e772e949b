using Midrc.Curation.Findings;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Qa;

/// <summary>Where a finding is in the fix loop.</summary>
public enum FindingStatus
{
    Open,

    /// <summary>The coordinator asked a program manager to waive it.</summary>
    WaiverRequested,

    /// <summary>A resubmission made the re-run check pass.</summary>
    Fixed,

    /// <summary>A program manager accepted it, with a reason.</summary>
    Waived,
}

/// <summary>A QA, clinical or de-identification finding stored for a submission, with its place in the fix loop.</summary>
public sealed class QaFinding : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public Guid SubmissionId { get; set; }
    public Submission? Submission { get; set; }

    /// <summary>The instance the finding is about, when it is about one file.</summary>
    public Guid? InstanceId { get; set; }
    public required string Rule { get; set; }
    public Severity Severity { get; set; }
    public FindingStatus Status { get; set; }
    public string File { get; set; } = "";
    public string Tag { get; set; } = "";
    public string Path { get; set; } = "";
    public string Keyword { get; set; } = "";
    public required string Message { get; set; }
    public required string Hint { get; set; }
    public string StudyInstanceUid { get; set; } = "";
    public string SeriesInstanceUid { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedBy { get; set; }

    /// <summary>Why the coordinator asked for a waiver.</summary>
    public string? WaiverRequest { get; set; }

    /// <summary>Why a program manager waived the finding, or refused to (required for either decision).</summary>
    public string? WaiverReason { get; set; }
    public long Version { get; set; }
}

/// <summary>The outcome of de-identification verification for one instance.</summary>
public enum DeidentificationOutcome
{
    Passed,

    /// <summary>Nothing leaked that the checks can see, but a person must look (burned-in text, screen saves).</summary>
    NeedsReview,
    Failed,
}

/// <summary>The de-identification verdict for one instance: what was checked, against which profile, and the outcome.</summary>
public sealed class DeidentificationReport
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; set; }
    public Instance? Instance { get; set; }
    public DeidentificationOutcome Outcome { get; set; }

    /// <summary>The curation profile (name and version) the file was checked against.</summary>
    public required string Profile { get; set; }
    public int ErrorCount { get; set; }
    public int WarningCount { get; set; }
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>The program manager who decided a <see cref="DeidentificationOutcome.NeedsReview"/> report, when one did.</summary>
    public string? ReviewedBy { get; set; }
    public string? ReviewReason { get; set; }
    public DateTimeOffset? ReviewedAt { get; set; }
}
