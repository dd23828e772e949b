using Microsoft.Win32.SafeHandles;

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
        // One open for both passes: the structural check and GDCM's walk read the same descriptor.
        using var file = Open(path);
        var scan = DicomStructureScanner.Scan(file, path, _options);
        return HeaderRecordReader.Read(file, path, scan.HasPixelData) with { SizeBytes = scan.SizeBytes };
    }

    /// <exception cref="DicomReadException">The file does not exist, is a folder, or may not be read.</exception>
    private static SafeFileHandle Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DicomReadException($"'{Path.GetFileName(path)}' does not exist or cannot be opened; check the path and the file's permissions.");
        }
    }
}
