namespace Midrc.Curation.Clinical;

/// <summary>
/// Limits that keep a hostile or broken CSV from exhausting the server. The defaults are far above any real
/// clinical file (a site's largest is a few thousand rows of under 1 KB each).
/// </summary>
public sealed record ClinicalCsvLimits
{
    /// <summary>The largest file accepted, in bytes. Default 50 MiB.</summary>
    public long MaxFileBytes { get; init; } = 50L * 1024 * 1024;

    /// <summary>The longest row accepted, in characters (quoted newlines included). Default 16,384.</summary>
    public int MaxRowChars { get; init; } = 16 * 1024;

    /// <summary>The most data rows accepted (the header not counted). Default 100,000.</summary>
    public int MaxRows { get; init; } = 100_000;

    /// <summary>The most findings listed for one file before the rest are summarised in one. Default 500.</summary>
    public int MaxFindings { get; init; } = 500;
}
