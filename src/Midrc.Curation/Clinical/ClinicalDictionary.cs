using static Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Clinical;

/// <summary>One node of the dictionary: its CSV name and its columns, in template order.</summary>
public sealed record ClinicalNodeDefinition
{
    /// <summary>The node.</summary>
    public required ClinicalNode Node { get; init; }

    /// <summary>The MIDRC node name, e.g. <c>imaging_study</c>; also the template file name.</summary>
    public required string Name { get; init; }

    /// <summary>What one row of this node describes, for a site coordinator.</summary>
    public required string Description { get; init; }

    /// <summary>The columns, in the order the template writes them.</summary>
    public required IReadOnlyList<ClinicalColumn> Columns { get; init; }

    /// <summary>The column with the given name (case-insensitive), or null.</summary>
    public ClinicalColumn? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The clinical data dictionary: the one declarative table of nodes and columns that the parser, the
/// checks, the CSV templates and the documentation all read. Names and coded values follow the MIDRC
/// (Gen3) dictionary; every date is a day offset from the case's index event, never a calendar date.
/// </summary>
public static class ClinicalDictionary
{
    static readonly string[] YesNo = ["Yes", "No"];

    static ClinicalColumn Id(string description, string example) => new()
    {
        Name = SubmitterId, Kind = ClinicalValueKind.Id, Required = true, Description = description, Example = example,
    };

    static readonly ClinicalColumn CaseLink = new()
    {
        Name = CaseSubmitterId, Kind = ClinicalValueKind.Id, Required = true,
        Description = "The submitter_id of the case this row belongs to (the case's pseudonymous id; must equal the DICOM PatientID).",
        Example = "SITE01-0001",
    };

    static ClinicalColumn Day(string name, string description, string example, bool required = false) => new()
    {
        Name = name, Kind = ClinicalValueKind.DayOffset, Required = required, Description = description, Example = example,
    };

    static ClinicalColumn Coded(string name, string description, IReadOnlyList<string> allowed, string example, bool required = false) => new()
    {
        Name = name, Kind = ClinicalValueKind.Code, Required = required, AllowedValues = allowed, Description = description, Example = example,
    };

    /// <summary>Every node, in the order a site fills them in (cases first).</summary>
    public static IReadOnlyList<ClinicalNodeDefinition> Nodes { get; } =
    [
        new()
        {
            Node = ClinicalNode.Case, Name = "case",
            Description = "One row per patient: demographics and summary indicators.",
            Columns =
            [
                Id("The case's pseudonymous id, the same as the PatientID in its DICOM files.", "SITE01-0001"),
                new() { Name = AgeAtIndex, Kind = ClinicalValueKind.Age, Description = "Age in years at the index event. Leave blank for patients older than 89 and set age_at_index_gt89 to Yes.", Example = "57" },
                Coded(AgeAtIndexGt89, "Yes when the patient was older than 89 at the index event (age_at_index is then blank).", YesNo, "No"),
                Coded(Sex, "Sex of the patient.", ["Female", "Male", "Not Reported"], "Female", required: true),
                Coded(Race, "Race of the patient.", ["American Indian or Alaska Native", "Asian", "Black or African American", "Native Hawaiian or other Pacific Islander", "White", "Other", "Not Reported"], "White", required: true),
                Coded(Ethnicity, "Ethnicity of the patient.", ["Hispanic or Latino", "Not Hispanic or Latino", "Not Reported"], "Not Hispanic or Latino", required: true),
                new() { Name = Zip, Kind = ClinicalValueKind.Zip3, Description = "First three digits of the ZIP code of residence; 000 where those three digits cover fewer than 20,000 people.", Example = "606" },
                Coded(Covid19Positive, "Whether the patient ever had a positive COVID-19 test.", ["Yes", "No", "Indeterminate", "Not Reported"], "Yes", required: true),
                Coded(IcuIndicator, "Whether the patient was admitted to an ICU.", YesNo, "Yes"),
                Coded(VentilatorIndicator, "Whether the patient was on a mechanical ventilator.", YesNo, "Yes"),
            ],
        },
        new()
        {
            Node = ClinicalNode.Visit, Name = "visit",
            Description = "One row per hospital stay of a case.",
            Columns =
            [
                Id("The visit's id, unique among the site's visits.", "SITE01-0001-V1"),
                CaseLink,
                Day(DaysToHospitalAdmission, "Days from the index event to hospital admission.", "0"),
                Day(DaysToIcuAdmission, "Days from the index event to ICU admission; blank when the patient was not in an ICU.", "2"),
                Day(DaysToIcuDischarge, "Days from the index event to ICU discharge.", "9"),
                Day(DaysToHospitalDischarge, "Days from the index event to hospital discharge.", "14"),
                Coded(DischargeType, "Where the patient went at discharge.", ["Home", "Home with services", "Skilled nursing facility", "Rehabilitation facility", "Hospice", "Transferred to another hospital", "Deceased", "Other", "Not Reported"], "Home"),
            ],
        },
        new()
        {
            Node = ClinicalNode.Procedure, Name = "procedure",
            Description = "One row per period of breathing support.",
            Columns =
            [
                Id("The procedure's id, unique among the site's procedures.", "SITE01-0001-P1"),
                CaseLink,
                Coded(ProcedureType, "The kind of breathing support.", [BreathingSupport.SupplementalOxygen, BreathingSupport.NonInvasiveVentilation, BreathingSupport.MechanicalVentilation, BreathingSupport.Ecmo], BreathingSupport.MechanicalVentilation, required: true),
                Day(DaysToProcedureStart, "Days from the index event to the start of the breathing support.", "3", required: true),
                Day(DaysToProcedureEnd, "Days from the index event to the end of the breathing support; blank when unknown.", "8"),
            ],
        },
        new()
        {
            Node = ClinicalNode.Measurement, Name = "measurement",
            Description = "One row per COVID-19 test.",
            Columns =
            [
                Id("The measurement's id, unique among the site's measurements.", "SITE01-0001-M1"),
                CaseLink,
                Coded(TestName, "The test's target.", ["COVID-19"], "COVID-19", required: true),
                Coded(TestMethod, "How the test was done.", ["RT-PCR", "Antigen", "IgM", "IgG", "Other"], "RT-PCR", required: true),
                Coded(TestResultText, "The test's result.", ["Positive", "Negative", "Indeterminate", "Not Reported"], "Positive", required: true),
                Day(TestDaysFromIndex, "Days from the index event to the test.", "0"),
            ],
        },
        new()
        {
            Node = ClinicalNode.ImagingStudy, Name = "imaging_study",
            Description = "One row per imaging exam (DICOM study) sent for the case.",
            Columns =
            [
                Id("The imaging study's id, unique among the site's imaging studies.", "SITE01-0001-S1"),
                CaseLink,
                new() { Name = StudyUid, Kind = ClinicalValueKind.Uid, Required = true, Description = "The Study Instance UID (0020,000D) of the de-identified DICOM study, exactly as in the files sent.", Example = "1.2.826.0.1.3680043.8.498.10001" },
                Day(DaysToStudy, "Days from the index event to the imaging study.", "1", required: true),
                Coded(StudyModality, "The study's modality, as in DICOM Modality (0008,0060).", ["CR", "DX", "CT"], "DX"),
                new() { Name = StudyDescription, Kind = ClinicalValueKind.Text, Description = "The Study Description (0008,1030) of the de-identified study.", Example = "XR CHEST AP PORTABLE" },
            ],
        },
    ];

    /// <summary>The definition of a node.</summary>
    public static ClinicalNodeDefinition Get(ClinicalNode node) => Nodes[(int)node];
}

/// <summary>The breathing support types of the procedure node (<c>procedure_type</c>).</summary>
public static class BreathingSupport
{
    /// <summary>Oxygen by nasal cannula or mask, including high-flow nasal cannula.</summary>
    public const string SupplementalOxygen = "Supplemental Oxygen";

    /// <summary>CPAP or BiPAP without intubation.</summary>
    public const string NonInvasiveVentilation = "Non-invasive Ventilation";

    /// <summary>Invasive mechanical ventilation (intubation or tracheostomy).</summary>
    public const string MechanicalVentilation = "Mechanical Ventilation";

    /// <summary>Extracorporeal membrane oxygenation.</summary>
    public const string Ecmo = "ECMO";
}
