using Midrc.Curation.Dicom;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>What the verifier expects of one attribute, after the Basic Profile and the program's retained options.</summary>
public enum Expectation
{
    /// <summary>May stay as it is (its text is still scanned for identifying content).</summary>
    Retain,

    /// <summary>May stay once cleaned (Clean Descriptors): its text is scanned for identifying content.</summary>
    Clean,

    /// <summary>A date or time kept under a Retain Longitudinal Temporal Information option.</summary>
    RetainedDate,

    /// <summary>X: must be removed (an empty element carries nothing and is accepted).</summary>
    Absent,

    /// <summary>Z or D: empty or a dummy value.</summary>
    EmptyOrDummy,

    /// <summary>U: a UID that must have been replaced.</summary>
    ReplacedUid,

    /// <summary>Judged by its own rule: private attributes, overlays and curves, Patient ID and Patient Name.</summary>
    OwnRule,
}

/// <summary>
/// Decides, per attribute, what PS3.15 Annex E lets a file carry for a given profile: the Basic Profile
/// action from table E.1-1, relaxed by the options the program retains (table E.1-1 option columns).
/// </summary>
public sealed class AnnexEPolicy(CurationProfile profile, AnnexETable table)
{
    /// <summary>Patient ID (0010,0020).</summary>
    public static readonly DicomTag PatientId = new(0x0010, 0x0020);

    /// <summary>Patient's Name (0010,0010).</summary>
    public static readonly DicomTag PatientName = new(0x0010, 0x0010);

    private static readonly HashSet<DicomTag> PatientCharacteristics = Tags(
        0x00100040, 0x00101010, 0x00101020, 0x00101030, 0x00101022, 0x00102160, 0x001021A0, 0x001021C0,
        0x00102203, 0x00380050, 0x00380500, 0x00102000, 0x00102110);

    private static readonly HashSet<DicomTag> DeviceIdentity = Tags(
        0x00081010, 0x00181000, 0x0018700A, 0x00181008, 0x00181002, 0x00500020, 0x00189371, 0x00400010, 0x00400242);

    private static readonly HashSet<DicomTag> InstitutionIdentity = Tags(
        0x00080080, 0x00080081, 0x00080082, 0x00081040, 0x00081041);

    private static readonly HashSet<DicomTag> Descriptors = Tags(
        0x00081030, 0x0008103E, 0x00081080, 0x00082111, 0x00084000, 0x001021B0, 0x00104000, 0x00102180,
        0x00120072, 0x00181030, 0x00181400, 0x00184000, 0x00189937, 0x00204000, 0x00321030, 0x00321060,
        0x00321066, 0x00324000, 0x00384000, 0x00400007, 0x00400254, 0x00400280, 0x00401002, 0x00401400,
        0x00402001, 0x00402400);

    /// <summary>The table's name for the attribute, else its keyword, else its tag.</summary>
    public string Describe(DicomElement element)
    {
        var name = table.Find(element.Tag)?.Name ?? (element.Keyword.Length > 0 ? element.Keyword : "Attribute");
        return $"{name} {element.Tag}";
    }

    /// <summary>What the element may carry.</summary>
    public Expectation Classify(DicomElement element)
    {
        var tag = element.Tag;
        if (tag.IsPrivate || IsOverlayOrCurve(tag) || tag == PatientId || tag == PatientName)
        {
            return Expectation.OwnRule;
        }
        var action = table.Find(tag)?.Action ?? BasicProfileAction.None;
        if (action == BasicProfileAction.None)
        {
            return IsDate(element) && profile.Retains(AnnexEOption.RetainLongitudinalTemporalModifiedDates)
                ? Expectation.RetainedDate
                : Expectation.Retain;
        }
        if (Retained(tag))
        {
            return Expectation.Retain;
        }
        if (profile.Retains(AnnexEOption.CleanDescriptors) && Descriptors.Contains(tag))
        {
            return Expectation.Clean;
        }
        if (IsDateOrTime(element))
        {
            if (profile.Retains(AnnexEOption.RetainLongitudinalTemporalFullDates))
            {
                return Expectation.Retain;
            }
            if (profile.Retains(AnnexEOption.RetainLongitudinalTemporalModifiedDates))
            {
                return Expectation.RetainedDate;
            }
        }
        if (action.HasFlag(BasicProfileAction.ReplaceUid) && element.Vr == "UI")
        {
            return profile.Retains(AnnexEOption.RetainUids) ? Expectation.Retain : Expectation.ReplacedUid;
        }
        return (action & (BasicProfileAction.Empty | BasicProfileAction.Dummy)) != 0
            ? Expectation.EmptyOrDummy
            : Expectation.Absent;
    }

    /// <summary>Overlay (60xx) and curve (50xx) groups, repeating groups with even numbers.</summary>
    public static bool IsOverlayOrCurve(DicomTag tag) =>
        (tag.Group & 0xFF01) is 0x6000 or 0x5000;

    /// <summary>True for a DA or DT element.</summary>
    public static bool IsDate(DicomElement element) => element.Vr is "DA" or "DT";

    private static bool IsDateOrTime(DicomElement element) => IsDate(element) || element.Vr == "TM";

    private bool Retained(DicomTag tag) =>
        (profile.Retains(AnnexEOption.RetainPatientCharacteristics) && PatientCharacteristics.Contains(tag))
        || (profile.Retains(AnnexEOption.RetainDeviceIdentity) && DeviceIdentity.Contains(tag))
        || (profile.Retains(AnnexEOption.RetainInstitutionIdentity) && InstitutionIdentity.Contains(tag));

    private static HashSet<DicomTag> Tags(params uint[] values) =>
        [.. values.Select(v => new DicomTag((ushort)(v >> 16), (ushort)(v & 0xFFFF)))];
}
