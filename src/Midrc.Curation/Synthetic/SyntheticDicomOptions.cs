namespace Midrc.Curation.Synthetic;

/// <summary>What the synthetic images look like: site, UID root, sizes.</summary>
public sealed record SyntheticDicomOptions
{
    /// <summary>The site code in pseudonymous patient ids, e.g. <c>SITE</c> gives <c>SITE-0001</c>.</summary>
    public string SiteCode { get; init; } = "SITE";

    /// <summary>
    /// The root of every generated UID. The default <c>2.25</c> makes UUID-derived UIDs (PS3.5 B.2), unique without
    /// registering a root; any other root gets a random 96-bit suffix.
    /// </summary>
    public string UidRoot { get; init; } = "2.25";

    /// <summary>Modality of chest radiographs: <c>DX</c> (digital X-ray) or <c>CR</c> (computed radiography).</summary>
    public string ChestModality { get; init; } = "DX";

    /// <summary>Rows and columns of a chest radiograph; 2048 gives an 8 MiB "large chest X-ray" file. Default 512.</summary>
    public int ChestSize { get; init; } = 512;

    /// <summary>Rows and columns of a CT slice. Default 64.</summary>
    public int CtSize { get; init; } = 64;

    /// <summary>CT slice thickness and spacing in millimetres. Default 2.5.</summary>
    public double SliceThickness { get; init; } = 2.5;
}

/// <summary>The files of one generated series and the identifiers they share.</summary>
public sealed record SyntheticSeries(string PatientId, string StudyInstanceUid, string SeriesInstanceUid, IReadOnlyList<string> Files);
