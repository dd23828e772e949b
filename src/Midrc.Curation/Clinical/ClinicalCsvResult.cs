using Midrc.Curation.Findings;

namespace Midrc.Curation.Clinical;

/// <summary>What reading one node's CSV produced: the identifiable rows and every problem found.</summary>
public sealed record ClinicalCsvResult
{
    /// <summary>The node the file was read as.</summary>
    public required ClinicalNode Node { get; init; }

    /// <summary>The file name as given to the reader.</summary>
    public required string File { get; init; }

    /// <summary>The rows whose ids are valid, in file order; rows with other bad values are kept with those values absent.</summary>
    public required IReadOnlyList<ClinicalRow> Rows { get; init; }

    /// <summary>Every problem found, in file order.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>True when no finding is an error.</summary>
    public bool Accepted => Findings.All(f => f.Severity != Severity.Error);
}
