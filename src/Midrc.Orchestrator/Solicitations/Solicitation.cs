using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Solicitations;

/// <summary>Where a data request is; the data-solicitation workflow moves it along.</summary>
public enum SolicitationStatus
{
    Draft,
    Sent,
    Acknowledged,
    Negotiating,
    InProgress,
    Fulfilled,
    Closed,
}

/// <summary>A program manager's request to an active site for data.</summary>
public sealed class Solicitation : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public required string Title { get; set; }

    /// <summary>Requested modalities, comma separated DICOM codes (e.g. <c>CR,DX,CT</c>).</summary>
    public required string Modalities { get; set; }
    public int RequestedExams { get; set; }

    /// <summary>Inclusion criteria in plain words, e.g. "age ≥ 18; COVID-19 confirmed by RT-PCR or antigen".</summary>
    public string InclusionCriteria { get; set; } = "";
    public DateTimeOffset DueAt { get; set; }
    public SolicitationStatus Status { get; set; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public long Version { get; set; }
}
