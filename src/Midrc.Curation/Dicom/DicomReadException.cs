namespace Midrc.Curation.Dicom;

/// <summary>A file could not be read as DICOM. The message is written for a site coordinator: what is wrong and what to do.</summary>
public sealed class DicomReadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DicomReadException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DicomReadException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DicomReadException() : base("The file could not be read as DICOM.")
    {
    }
}
