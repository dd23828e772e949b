namespace Midrc.Curation.Dicom;

/// <summary>
/// The few attributes of a file that the index and the cross-file checks need (duplicates, series
/// consistency, slice gaps, one patient per study). Small enough to cross a process boundary cheaply.
/// </summary>
public sealed record IndexAttributes
{
    public string? SopInstanceUid { get; init; }
    public string? SopClassUid { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
    public string? Modality { get; init; }
    public string? PatientId { get; init; }
    public string? PatientName { get; init; }
    public string? BodyPartExamined { get; init; }
    public string? StudyDescription { get; init; }
    public string? SeriesDescription { get; init; }
    public string? SeriesNumber { get; init; }
    public string? InstanceNumber { get; init; }
    public string? Rows { get; init; }
    public string? Columns { get; init; }
    public string? SliceThickness { get; init; }
    public string? ImagePositionPatient { get; init; }
    public string? ImageOrientationPatient { get; init; }
    public string? PixelSpacing { get; init; }
    public string? ImageType { get; init; }
    public string? BurnedInAnnotation { get; init; }
    public string? TransferSyntaxUid { get; init; }

    /// <summary>Takes the index attributes from a file's top-level data set.</summary>
    public static IndexAttributes From(DicomFileView file)
    {
        var d = file.Dataset;
        string? S(ushort g, ushort e) => d.Find(new DicomTag(g, e)) is { Values.Count: > 0 } el ? el.Text.Trim() : null;
        return new IndexAttributes
        {
            SopClassUid = S(0x0008, 0x0016),
            SopInstanceUid = S(0x0008, 0x0018),
            Modality = S(0x0008, 0x0060),
            StudyDescription = S(0x0008, 0x1030),
            SeriesDescription = S(0x0008, 0x103E),
            ImageType = S(0x0008, 0x0008),
            PatientName = S(0x0010, 0x0010),
            PatientId = S(0x0010, 0x0020),
            BodyPartExamined = S(0x0018, 0x0015),
            SliceThickness = S(0x0018, 0x0050),
            StudyInstanceUid = S(0x0020, 0x000D),
            SeriesInstanceUid = S(0x0020, 0x000E),
            SeriesNumber = S(0x0020, 0x0011),
            InstanceNumber = S(0x0020, 0x0013),
            ImagePositionPatient = S(0x0020, 0x0032),
            ImageOrientationPatient = S(0x0020, 0x0037),
            Rows = S(0x0028, 0x0010),
            Columns = S(0x0028, 0x0011),
            PixelSpacing = S(0x0028, 0x0030),
            BurnedInAnnotation = S(0x0028, 0x0301),
            TransferSyntaxUid = string.IsNullOrEmpty(file.TransferSyntaxUid) ? null : file.TransferSyntaxUid,
        };
    }
}
