namespace Midrc.Curation.Dicom;

/// <summary>
/// Reads DICOM headers with GDCM: a structural pre-check against the configured limits, then GDCM's read up to (not
/// including) Pixel Data, walked natively in one call and built into a managed <see cref="DicomFileView"/>. Safe to use
/// from several threads.
/// </summary>
/// <remarks>
/// Debian's GDCM aborts the process on some malformed files; read untrusted files through
/// the worker pool in <c>Midrc.Curation.Workers</c>, which does this in worker processes.
/// </remarks>
public sealed class GdcmDicomReader(DicomReaderOptions? options = null) : IDicomReader
{
    private readonly DicomReaderOptions _options = options ?? DicomReaderOptions.Default;

    /// <inheritdoc />
    public DicomFileView Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        NativeHeaderWalk.EnsureAvailable();
        // One open for both passes: the structural check reads through the stream, GDCM through the same descriptor.
        using var file = DicomStructureScanner.Open(path);
        var scan = DicomStructureScanner.Scan(file, path, _options);
        return HeaderRecordReader.Read(file, path, scan.HasPixelData) with { SizeBytes = scan.SizeBytes };
    }
}
