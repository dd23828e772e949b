namespace Midrc.Curation.Dicom;

/// <summary>A file as read: its file meta information, its data set (without pixel data) and where it came from.</summary>
public sealed record DicomFileView
{
    /// <summary>The path the file was read from.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Transfer Syntax UID (0002,0010); empty when the file has no file meta information.</summary>
    public required string TransferSyntaxUid { get; init; }

    /// <summary>The group 0002 elements.</summary>
    public required DicomDataset FileMeta { get; init; }

    /// <summary>The main data set, up to but not including Pixel Data.</summary>
    public required DicomDataset Dataset { get; init; }

    /// <summary>True when the file holds a Pixel Data element (the value itself is never read).</summary>
    public bool HasPixelData { get; init; }

    /// <summary>The file's size in bytes, as the reader found it.</summary>
    public long SizeBytes { get; init; }
}
