using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>
/// Text burned into pixels is a real source of leaks that no header check sees: images that declare
/// burned-in annotation, secondary captures and screen saves are flagged for visual review.
/// </summary>
public sealed class PixelTextRiskCheck(CurationProfile profile) : IFileCheck
{
    private const string SecondaryCaptureRoot = "1.2.840.10008.5.1.4.1.1.7";
    private static readonly DicomTag BurnedInAnnotation = new(0x0028, 0x0301);
    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag ImageType = new(0x0008, 0x0008);

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file) => Candidates(file).OfType<Finding>();

    private IEnumerable<Finding?> Candidates(DicomFileView file)
    {
        var d = file.Dataset;
        if (string.Equals(d.GetString(BurnedInAnnotation), "YES", StringComparison.OrdinalIgnoreCase))
        {
            yield return profile.Rules.Report("deid.burned-in-annotation", file.SourcePath,
                "Burned In Annotation (0028,0301) is YES: the pixels contain text that may identify the patient.",
                d.Find(BurnedInAnnotation));
        }
        var sopClass = d.GetString(SopClassUid);
        if (sopClass is not null && (sopClass == SecondaryCaptureRoot || sopClass.StartsWith(SecondaryCaptureRoot + ".", StringComparison.Ordinal)))
        {
            yield return profile.Rules.Report("deid.secondary-capture", file.SourcePath,
                $"SOP Class UID (0008,0016) is a secondary capture ({sopClass}); such images are often screenshots with patient details.",
                d.Find(SopClassUid));
        }
        if (d.Find(ImageType) is { } imageType && IsScreenSave(imageType.Values))
        {
            yield return profile.Rules.Report("deid.screen-save", file.SourcePath,
                $"Image Type (0008,0008) is '{imageType.Text.Trim()}', a screen save or derived secondary image.", imageType);
        }
    }

    private static bool IsScreenSave(IReadOnlyList<string> values)
    {
        var v = values.Select(x => x.Trim().ToUpperInvariant()).ToList();
        return v.Contains("SCREEN SAVE") || (v.Count >= 2 && v[0] == "DERIVED" && v[1] == "SECONDARY");
    }
}
