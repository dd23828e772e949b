namespace Midrc.Curation.Dicom;

/// <summary>
/// One data element of a file, at any depth, as an immutable managed value. Values are decoded
/// to text in the file's character set (numbers in their DICOM string form); binary values
/// (OB, OW, UN, ...) are not decoded and have no values, only a length.
/// </summary>
public sealed record DicomElement
{
    /// <summary>The element's tag.</summary>
    public required DicomTag Tag { get; init; }

    /// <summary>The value representation, e.g. <c>PN</c>, <c>SQ</c>; from the dictionary when the file is implicit VR.</summary>
    public required string Vr { get; init; }

    /// <summary>The dictionary keyword, e.g. <c>PatientName</c>; empty for private and unknown tags.</summary>
    public required string Keyword { get; init; }

    /// <summary>
    /// Where the element is: its tag, prefixed by the sequences and 0-based item numbers that hold it,
    /// e.g. <c>(0008,1120)[0].(0010,0010)</c>.
    /// </summary>
    public required string Path { get; init; }

    /// <summary>The decoded values (multi-valued elements have several); empty when the element is empty or binary.</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary>The items of a sequence (VR SQ); empty otherwise.</summary>
    public IReadOnlyList<DicomDataset> Items { get; init; } = [];

    /// <summary>The value length in bytes as stored in the file.</summary>
    public long Length { get; init; }

    /// <summary>All values joined with the DICOM separator <c>\</c>.</summary>
    public string Text => string.Join('\\', Values);

    /// <summary>True when the element carries no value and no items.</summary>
    public bool IsEmpty => Values.Count == 0 && Items.Count == 0 && Length == 0;
}
