using Midrc.Curation.Findings;

namespace Midrc.Curation.Profiles;

/// <summary>A rule every report may name: its stable id, default severity and the coordinator's fix hint.</summary>
/// <param name="Id">The stable id, starting with its category (<c>parse.</c>, <c>qa.</c>, <c>deid.</c>).</param>
/// <param name="DefaultSeverity">The severity unless a profile overrides it.</param>
/// <param name="Hint">What a site coordinator can do about a finding of this rule.</param>
public sealed record RuleDefinition(string Id, Severity DefaultSeverity, string Hint);

/// <summary>Every rule of the DICOM QA and de-identification checks, in one place so profiles can be validated against it.</summary>
public static class RuleCatalog
{
    private const string ResendHint = " Then resend the corrected files.";

    private static readonly RuleDefinition[] Definitions =
    [
        new("parse.unreadable", Severity.Error,
            "The file could not be read as DICOM. Check that it is a complete DICOM file (not a ZIP, JPEG or a truncated copy) and send it again."),
        new("qa.required-attribute-missing", Severity.Error,
            "Your export or anonymizer dropped an attribute the program needs. Check that the anonymizer script keeps it (for UIDs: replaces, not removes), then resend the files."),
        new("qa.modality-not-requested", Severity.Error,
            "This modality was not part of the data request. Remove these series from the submission, or ask the program manager whether they are wanted."),
        new("qa.sop-class-not-requested", Severity.Error,
            "This kind of object (SOP class) was not part of the data request, e.g. a report or dose sheet. Leave it out of the submission, or ask the program manager for a waiver."),
        new("qa.body-part-not-requested", Severity.Error,
            "The program asked for chest exams. Leave other body parts out; if this is a chest exam, correct Body Part Examined (0018,0015) in your export and resend."),
        new("qa.duplicate-sop-instance", Severity.Warning,
            "The same image was sent twice with identical content; the copy is ignored. No action needed, but check your export does not resend old files."),
        new("qa.conflicting-sop-instance", Severity.Error,
            "Two different files carry the same SOP Instance UID. This usually means the anonymizer maps UIDs inconsistently or a file was edited after sending. Resend one consistent version, or ask the program manager to replace the earlier file."),
        new("qa.series-inconsistent", Severity.Error,
            "Images of one series disagree on an attribute that must be the same for the whole series. Check that the series was exported complete and from one source, and that the anonymizer maps UIDs consistently; then resend the series."),
        new("qa.ct-slice-gap", Severity.Error,
            "The CT series is missing slices. Re-export the complete series from your PACS and resend it."),
        new("qa.study-multiple-patients", Severity.Error,
            "One study holds images of several Patient IDs. Check the pseudonym mapping in your anonymizer (one patient, one pseudonym) and resend the study."),
        new("qa.patient-name-inconsistent", Severity.Error,
            "The same Patient ID comes with different Patient Names. Set Patient Name from the pseudonym in your anonymizer so all files of a patient agree, then resend."),
        new("qa.count-mismatch", Severity.Error,
            "The number received differs from what was declared. Check that the upload finished and nothing was skipped; resend missing files or correct the declared counts."),
        new("deid.annex-e-attribute-present", Severity.Error,
            "This attribute must be removed (DICOM PS3.15 Basic Profile). Enable removal of it in your anonymizer (RSNA Anonymizer / CTP: the script line for this tag should be @remove()), or ask the program manager whether an option allows it." + ResendHint),
        new("deid.annex-e-attribute-not-dummy", Severity.Error,
            "This attribute must be emptied or replaced with a dummy value (DICOM PS3.15 Basic Profile). Set it to empty (@empty()) or a fixed dummy in your anonymizer script." + ResendHint),
        new("deid.date-not-shifted", Severity.Error,
            "The program keeps dates only when they are shifted. Turn on date shifting (a fixed per-patient offset) in your anonymizer so no real calendar date remains." + ResendHint),
        new("deid.uid-original-root", Severity.Error,
            "This UID still has your site's or device's original root, so it was not replaced. Enable UID replacement (@hashuid) for all UIDs, including those inside sequences." + ResendHint),
        new("deid.private-attribute", Severity.Error,
            "Private (vendor) attributes can hold patient data. Enable 'remove private tags' in your anonymizer, or ask the program manager to add this tag to the safe list." + ResendHint),
        new("deid.patient-identity-removed-missing", Severity.Error,
            "Patient Identity Removed (0012,0062) must be YES. Your anonymizer normally sets it; check that the file went through the anonymizer." + ResendHint),
        new("deid.deidentification-method-missing", Severity.Error,
            "De-identification Method (0012,0063) or its code sequence (0012,0064) must say how the file was de-identified. Enable it in your anonymizer settings." + ResendHint),
        new("deid.patient-id-not-pseudonym", Severity.Error,
            "Patient ID must be the pseudonym the program assigned to your site's patient. Check the ID mapping (lookup table) in your anonymizer." + ResendHint),
        new("deid.patient-name-not-pseudonym", Severity.Error,
            "Patient Name must not hold the real name. Set it from the pseudonym (or empty) in your anonymizer script." + ResendHint),
        new("deid.free-text-phi", Severity.Error,
            "Free text can hold names, numbers and dates typed in by staff. Remove or clean this attribute in your anonymizer (e.g. turn on 'clean descriptors' or blank the field)." + ResendHint),
        new("deid.overlay-or-curve", Severity.Error,
            "Overlays and curves can carry names or annotations. Enable removal of overlay (60xx) and curve (50xx) groups in your anonymizer." + ResendHint),
        new("deid.burned-in-annotation", Severity.Warning,
            "The image says text is burned into its pixels. A reviewer will look at it; if it shows names or dates, mask the pixels (e.g. the anonymizer's pixel filter) or leave the image out."),
        new("deid.secondary-capture", Severity.Warning,
            "Secondary captures are often screenshots with patient details. A reviewer will look at it; leave it out if it is not an original image."),
        new("deid.screen-save", Severity.Warning,
            "Screen saves and derived secondary images often show patient details on screen. A reviewer will look at it; leave it out if it is not an original image."),
    ];

    private static readonly Dictionary<string, RuleDefinition> ById = Definitions.ToDictionary(d => d.Id, StringComparer.Ordinal);

    /// <summary>Every rule.</summary>
    public static IReadOnlyList<RuleDefinition> All => Definitions;

    /// <summary>The rule with this id; throws for an unknown id (a programming error, not user input).</summary>
    public static RuleDefinition Get(string id) =>
        ById.TryGetValue(id, out var d) ? d : throw new ArgumentException($"Unknown rule id '{id}'.", nameof(id));

    /// <summary>True when a rule with this id exists.</summary>
    public static bool Exists(string id) => ById.ContainsKey(id);
}
