namespace Midrc.Curation.Dicom;

/// <summary>Reads a DICOM file's header (everything before Pixel Data) into a managed <see cref="DicomFileView"/>.</summary>
public interface IDicomReader
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <exception cref="DicomReadException">The file is not DICOM, is damaged or breaks the configured limits.</exception>
    DicomFileView Read(string path);
}
