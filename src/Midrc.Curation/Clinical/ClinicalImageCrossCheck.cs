using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Clinical;

/// <summary>A DICOM study as received: its Study Instance UID, the PatientIDs its files carry and one of its files.</summary>
public sealed record ReceivedStudy
{
    /// <summary>The Study Instance UID (0020,000D).</summary>
    public required string StudyInstanceUid { get; init; }

    /// <summary>The distinct PatientIDs (0010,0020) of the study's files; normally exactly one, the case's pseudonym.</summary>
    public IReadOnlyList<string> PatientIds { get; init; } = [];

    /// <summary>One file of the study, named in findings about the study.</summary>
    public required string File { get; init; }

    /// <summary>Groups received files by study; files without a Study Instance UID are left to the DICOM checks.</summary>
    public static IReadOnlyList<ReceivedStudy> From(IEnumerable<(string File, IndexAttributes Attributes)> files) => files
        .Where(f => !string.IsNullOrEmpty(f.Attributes.StudyInstanceUid))
        .GroupBy(f => f.Attributes.StudyInstanceUid!, StringComparer.Ordinal)
        .Select(g => new ReceivedStudy
        {
            StudyInstanceUid = g.Key,
            File = g.First().File,
            PatientIds = g.Select(f => f.Attributes.PatientId).OfType<string>().Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
        })
        .ToList();
}

/// <summary>Whether, and how loosely, imaging studies must fall within the case's hospital stay.</summary>
public sealed class ImagingStayWindowOptions
{
    /// <summary>True when the program requires every imaging study to be taken during a hospital stay. Default false.</summary>
    public bool Required { get; set; }

    /// <summary>Days before hospital admission still accepted (e.g. imaging in the emergency department). Default 0.</summary>
    public int DaysBeforeAdmission { get; set; }

    /// <summary>Days after hospital discharge still accepted (e.g. a follow-up exam). Default 0.</summary>
    public int DaysAfterDischarge { get; set; }
}

/// <summary>
/// Cross-checks the DICOM studies received against the clinical imaging_study rows: each row's study was
/// received and each received study has a row, the row's case is the study's PatientID, and (when the
/// program requires it) the study falls within the case's hospital stay.
/// </summary>
public sealed class ClinicalImageCrossCheck(ImagingStayWindowOptions window)
{
    const string StudyInstanceUidTag = "(0020,000D)";

    /// <summary>The findings for <paramref name="clinical"/> (typically everything the site has sent) against <paramref name="received"/>.</summary>
    public IReadOnlyList<Finding> Check(ClinicalSubmission clinical, IReadOnlyList<ReceivedStudy> received)
    {
        var byUid = received.ToDictionary(s => s.StudyInstanceUid, StringComparer.Ordinal);
        var findings = new List<Finding>();
        foreach (var row in clinical.ImagingStudies)
        {
            // A blank or rejected study_uid was already reported by the parser.
            if (row.StudyUid is { } uid && Unmatched(row, uid, byUid) is { } unmatched)
            {
                findings.Add(unmatched);
            }
            if (window.Required && OutsideStay(row, clinical) is { } outside)
            {
                findings.Add(outside);
            }
        }

        var named = clinical.ImagingStudies.Select(s => s.StudyUid).OfType<string>().ToHashSet(StringComparer.Ordinal);
        findings.AddRange(received.Where(s => !named.Contains(s.StudyInstanceUid)).Select(s => new Finding
        {
            File = s.File,
            Rule = ClinicalRules.StudyWithoutClinicalRow,
            Severity = Severity.Error,
            Tag = StudyInstanceUidTag,
            Keyword = "StudyInstanceUID",
            Message = $"DICOM study {s.StudyInstanceUid} (PatientID {(s.PatientIds.Count == 0 ? "missing" : string.Join(", ", s.PatientIds))}) was received, but no imaging_study row names it.",
            Hint = "Add a row for it to the imaging_study file, with this study_uid and its case's id.",
        }));
        return findings;
    }

    static Finding? Unmatched(ClinicalImagingStudy row, string uid, Dictionary<string, ReceivedStudy> byUid)
    {
        if (!byUid.TryGetValue(uid, out var study))
        {
            return row.Source.Finding(Col.StudyUid, ClinicalRules.StudyNotReceived, Severity.Error,
                $"Imaging study {row.SubmitterId} names Study Instance UID {uid}, but no DICOM study with that UID was received.",
                "Send the study's DICOM files, or correct study_uid. De-identification replaces UIDs: copy the UID from the de-identified files you sent, not from your PACS.");
        }
        return study.PatientIds.Any(id => id != row.CaseId)
            ? row.Source.Finding(Col.CaseSubmitterId, ClinicalRules.PatientIdMismatch, Severity.Error,
                $"Imaging study {row.SubmitterId} belongs to case {row.CaseId}, but the DICOM files of its study have PatientID {string.Join(", ", study.PatientIds)}.",
                "The case id and the DICOM PatientID must be the same pseudonym. Correct whichever is wrong and send it again.")
            : null;
    }

    Finding? OutsideStay(ClinicalImagingStudy row, ClinicalSubmission clinical)
    {
        if (row.DaysToStudy is not { } day)
        {
            return null;
        }
        var stays = clinical.StaysOf(row.CaseId).ToList();
        if (stays.Any(s => s.Contains(day, window.DaysBeforeAdmission, window.DaysAfterDischarge)))
        {
            return null;
        }
        var recorded = stays.Count == 0 ? "no hospital stay with an admission day is recorded" : $"its hospital stays are {ClinicalQa.Describe(stays)}";
        return row.Source.Finding(Col.DaysToStudy, ClinicalRules.StudyOutsideStay, Severity.Error,
            $"Imaging study {row.SubmitterId} was taken on day {day}, but {recorded} for case {row.CaseId} (accepted: {window.DaysBeforeAdmission} days before admission to {window.DaysAfterDischarge} days after discharge).",
            "This program collects imaging taken during the hospital stay. Check days_to_study and the visit's admission and discharge days, or leave this study out.");
    }
}
