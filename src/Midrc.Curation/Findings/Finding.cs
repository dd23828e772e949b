namespace Midrc.Curation.Findings;

/// <summary>How much a finding matters: an error blocks acceptance, a warning informs.</summary>
public enum Severity
{
    /// <summary>Informs; does not block.</summary>
    Warning,

    /// <summary>Blocks acceptance until fixed or waived.</summary>
    Error,
}

/// <summary>
/// One problem found in a file, a series, a study, a submission or a clinical row. The shape matches
/// the <c>midrc verify</c> JSON report (design.md): rule ids start with their category
/// (<c>parse.</c>, <c>qa.</c>, <c>clinical.</c>, <c>deid.</c>).
/// </summary>
public sealed record Finding
{
    /// <summary>The file (or CSV) the finding is about, as given to the checker.</summary>
    public required string File { get; init; }

    /// <summary>The stable rule id, e.g. <c>deid.annex-e-attribute-present</c>.</summary>
    public required string Rule { get; init; }

    /// <summary>Error or warning.</summary>
    public required Severity Severity { get; init; }

    /// <summary>The attribute's tag as <c>(gggg,eeee)</c>, or empty when the finding is not about one attribute.</summary>
    public string Tag { get; init; } = "";

    /// <summary>Where the attribute is inside nested sequences, e.g. <c>(0008,1120)[0].(0010,0010)</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary>The attribute's keyword, e.g. <c>PatientName</c>.</summary>
    public string Keyword { get; init; } = "";

    /// <summary>What is wrong, for a site coordinator.</summary>
    public required string Message { get; init; }

    /// <summary>What to do about it, for a site coordinator.</summary>
    public required string Hint { get; init; }
}
