using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>
/// The file must say it was de-identified: Patient Identity Removed (0012,0062) YES and a De-identification
/// Method (0012,0063) or its code sequence (0012,0064). The claim alone proves nothing; the other rules
/// still look for what leaked.
/// </summary>
public sealed class PatientIdentityRemovedCheck(CurationProfile profile) : IFileCheck
{
    private static readonly DicomTag IdentityRemoved = new(0x0012, 0x0062);
    private static readonly DicomTag Method = new(0x0012, 0x0063);
    private static readonly DicomTag MethodCodes = new(0x0012, 0x0064);

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file)
    {
        var d = file.Dataset;
        var removed = d.GetString(IdentityRemoved);
        if (!string.Equals(removed, "YES", StringComparison.OrdinalIgnoreCase))
        {
            var state = removed is null ? "is missing or empty" : $"is '{removed}'";
            var finding = profile.Rules.Report("deid.patient-identity-removed-missing", file.SourcePath,
                $"Patient Identity Removed (0012,0062) {state}, not YES.", d.Find(IdentityRemoved), "PatientIdentityRemoved");
            if (finding is not null)
            {
                yield return finding;
            }
        }
        var hasMethod = d.GetString(Method) is not null || d.Find(MethodCodes) is { Items.Count: > 0 };
        if (!hasMethod)
        {
            var finding = profile.Rules.Report("deid.deidentification-method-missing", file.SourcePath,
                "Neither De-identification Method (0012,0063) nor De-identification Method Code Sequence (0012,0064) is present.",
                keyword: "DeidentificationMethod");
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }
}
