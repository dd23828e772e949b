using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>Patient ID and Patient Name, wherever they occur (sequences too), hold the program's pseudonym and nothing else.</summary>
public sealed class PseudonymCheck(CurationProfile profile) : IFileCheck
{
    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file)
    {
        var pseudonym = file.Dataset.GetString(AnnexEPolicy.PatientId);
        foreach (var element in file.Dataset.Walk())
        {
            var finding = element.Tag == AnnexEPolicy.PatientId ? CheckId(file, element)
                : element.Tag == AnnexEPolicy.PatientName ? CheckName(file, element, pseudonym)
                : null;
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    /// <summary>True when a Patient Name value is acceptable for the profile given the file's Patient ID.</summary>
    public bool IsAcceptableName(string value, string? patientId)
    {
        var v = value.Trim().Trim('^').Trim();
        return profile.IsDummy(v) || profile.Pseudonyms.PatientName switch
        {
            PatientNameRule.SameAsPatientId => patientId is not null && string.Equals(v, patientId, StringComparison.OrdinalIgnoreCase),
            PatientNameRule.Pattern => profile.Pseudonyms.PatientNamePattern!.IsMatch(v),
            _ => false,
        };
    }

    /// <summary>True when a Patient ID value matches the profile's pseudonym pattern.</summary>
    public bool IsPseudonym(string value) => profile.Pseudonyms.PatientId.IsMatch(value.Trim());

    private Finding? CheckId(DicomFileView file, DicomElement element)
    {
        var bad = element.NonEmptyValues().FirstOrDefault(v => !IsPseudonym(v));
        return bad is null ? null : profile.Rules.Report("deid.patient-id-not-pseudonym", file.SourcePath,
            $"Patient ID (0010,0020) holds '{PhiText.Mask(bad)}', which is not a pseudonym of the form the program issues: {profile.Pseudonyms.DescribePatientId()}.",
            element);
    }

    private Finding? CheckName(DicomFileView file, DicomElement element, string? pseudonym)
    {
        var bad = element.NonEmptyValues().FirstOrDefault(v => !IsAcceptableName(v, pseudonym));
        if (bad is null)
        {
            return null;
        }
        var expected = profile.Pseudonyms.PatientName switch
        {
            PatientNameRule.SameAsPatientId => "the program expects it to equal Patient ID",
            PatientNameRule.Pattern => $"the program expects it to match {profile.Pseudonyms.PatientNamePattern}",
            _ => "the program expects it to be empty",
        };
        return profile.Rules.Report("deid.patient-name-not-pseudonym", file.SourcePath,
            $"Patient's Name (0010,0010) holds '{PhiText.Mask(bad)}', which is not the pseudonym; {expected}.", element);
    }
}
