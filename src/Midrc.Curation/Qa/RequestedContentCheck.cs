using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Qa;

/// <summary>The file is what the program asked for: a requested modality and SOP class, and a requested body part.</summary>
public sealed class RequestedContentCheck(CurationProfile profile) : IFileCheck
{
    private static readonly DicomTag SopClassUid = new(0x0008, 0x0016);
    private static readonly DicomTag Modality = new(0x0008, 0x0060);
    private static readonly DicomTag BodyPartExamined = new(0x0018, 0x0015);

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file) => Candidates(file).OfType<Finding>();

    private IEnumerable<Finding?> Candidates(DicomFileView file)
    {
        var d = file.Dataset;
        if (d.GetString(Modality) is { } modality && profile.Modalities.Count > 0 && !profile.Modalities.Contains(modality.ToUpperInvariant()))
        {
            yield return profile.Rules.Report("qa.modality-not-requested", file.SourcePath,
                $"Modality (0008,0060) is {modality}; the program requested {string.Join(", ", profile.Modalities.Order())}.", d.Find(Modality));
        }
        if (d.GetString(SopClassUid) is { } sopClass && profile.SopClasses.Count > 0 && !profile.SopClasses.Contains(sopClass))
        {
            yield return profile.Rules.Report("qa.sop-class-not-requested", file.SourcePath,
                $"SOP Class UID (0008,0016) {sopClass} is not among the requested kinds of images.", d.Find(SopClassUid));
        }
        if (profile.BodyParts.Count > 0)
        {
            var bodyPart = d.GetString(BodyPartExamined);
            if (bodyPart is null || !profile.BodyParts.Contains(bodyPart.ToUpperInvariant()))
            {
                var state = bodyPart is null ? "is missing" : $"is {bodyPart}";
                yield return profile.Rules.Report("qa.body-part-not-requested", file.SourcePath,
                    $"Body Part Examined (0018,0015) {state}; the program requested {string.Join(", ", profile.BodyParts.Order())}.",
                    d.Find(BodyPartExamined), "BodyPartExamined");
            }
        }
    }
}
