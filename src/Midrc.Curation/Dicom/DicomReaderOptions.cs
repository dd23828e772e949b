namespace Midrc.Curation.Dicom;

/// <summary>Limits that keep a hostile or damaged file from stalling a read or allocating gigabytes.</summary>
public sealed record DicomReaderOptions
{
    /// <summary>Files larger than this are rejected before parsing. Default 4 GiB.</summary>
    public long MaxFileBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Any element before Pixel Data declaring a longer value is rejected (header values are small; an absurd length is
    /// damage or an attack). Default 64 MiB.
    /// </summary>
    public long MaxElementBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Sequences nested deeper than this are rejected. Default 32.</summary>
    public int MaxSequenceDepth { get; init; } = 32;

    /// <summary>The defaults.</summary>
    public static DicomReaderOptions Default { get; } = new();
}
