using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Clinical;

/// <summary>A typed clinical row: its origin and its id. A null property is blank or was rejected (and reported).</summary>
public abstract record ClinicalRecord
{
    /// <summary>Where the row came from.</summary>
    public required ClinicalSource Source { get; init; }

    /// <summary>The row's <c>submitter_id</c>.</summary>
    public required string SubmitterId { get; init; }

    /// <summary>The columns whose value was rejected by the parser (null here, but not blank in the file).</summary>
    public IReadOnlySet<string> RejectedColumns { get; init; } = new HashSet<string>();
}

/// <summary>A row that belongs to a case through <c>cases.submitter_id</c>.</summary>
public abstract record ClinicalCaseChild : ClinicalRecord
{
    /// <summary>The case's <c>submitter_id</c>.</summary>
    public required string CaseId { get; init; }
}

/// <summary>A row of the case node.</summary>
public sealed record ClinicalCase : ClinicalRecord
{
#pragma warning disable CS1591 // Each property is the MIDRC property of the same name (see ClinicalDictionary).
    public int? AgeAtIndex { get; init; }
    public bool? AgeAtIndexGt89 { get; init; }
    public string? Sex { get; init; }
    public string? Race { get; init; }
    public string? Ethnicity { get; init; }
    public string? Zip { get; init; }
    public string? Covid19Positive { get; init; }
    public bool? IcuIndicator { get; init; }
    public bool? VentilatorIndicator { get; init; }
#pragma warning restore CS1591

    internal static ClinicalCase From(ClinicalRow r) => new()
    {
        Source = r.Source,
        RejectedColumns = r.RejectedColumns,
        SubmitterId = r.Text(Col.SubmitterId)!,
        AgeAtIndex = r.Number(Col.AgeAtIndex),
        AgeAtIndexGt89 = r.YesNo(Col.AgeAtIndexGt89),
        Sex = r.Text(Col.Sex),
        Race = r.Text(Col.Race),
        Ethnicity = r.Text(Col.Ethnicity),
        Zip = r.Text(Col.Zip),
        Covid19Positive = r.Text(Col.Covid19Positive),
        IcuIndicator = r.YesNo(Col.IcuIndicator),
        VentilatorIndicator = r.YesNo(Col.VentilatorIndicator),
    };
}

/// <summary>A row of the visit node: one hospital stay.</summary>
public sealed record ClinicalVisit : ClinicalCaseChild
{
#pragma warning disable CS1591
    public int? DaysToHospitalAdmission { get; init; }
    public int? DaysToIcuAdmission { get; init; }
    public int? DaysToIcuDischarge { get; init; }
    public int? DaysToHospitalDischarge { get; init; }
    public string? DischargeType { get; init; }
#pragma warning restore CS1591

    internal static ClinicalVisit From(ClinicalRow r) => new()
    {
        Source = r.Source,
        RejectedColumns = r.RejectedColumns,
        SubmitterId = r.Text(Col.SubmitterId)!,
        CaseId = r.Text(Col.CaseSubmitterId)!,
        DaysToHospitalAdmission = r.Number(Col.DaysToHospitalAdmission),
        DaysToIcuAdmission = r.Number(Col.DaysToIcuAdmission),
        DaysToIcuDischarge = r.Number(Col.DaysToIcuDischarge),
        DaysToHospitalDischarge = r.Number(Col.DaysToHospitalDischarge),
        DischargeType = r.Text(Col.DischargeType),
    };
}

/// <summary>A row of the procedure node: one period of breathing support.</summary>
public sealed record ClinicalProcedure : ClinicalCaseChild
{
#pragma warning disable CS1591
    public string? ProcedureType { get; init; }
    public int? DaysToProcedureStart { get; init; }
    public int? DaysToProcedureEnd { get; init; }
#pragma warning restore CS1591

    internal static ClinicalProcedure From(ClinicalRow r) => new()
    {
        Source = r.Source,
        RejectedColumns = r.RejectedColumns,
        SubmitterId = r.Text(Col.SubmitterId)!,
        CaseId = r.Text(Col.CaseSubmitterId)!,
        ProcedureType = r.Text(Col.ProcedureType),
        DaysToProcedureStart = r.Number(Col.DaysToProcedureStart),
        DaysToProcedureEnd = r.Number(Col.DaysToProcedureEnd),
    };
}

/// <summary>A row of the measurement node: one COVID-19 test.</summary>
public sealed record ClinicalMeasurement : ClinicalCaseChild
{
#pragma warning disable CS1591
    public string? TestName { get; init; }
    public string? TestMethod { get; init; }
    public string? TestResultText { get; init; }
    public int? TestDaysFromIndex { get; init; }
#pragma warning restore CS1591

    internal static ClinicalMeasurement From(ClinicalRow r) => new()
    {
        Source = r.Source,
        RejectedColumns = r.RejectedColumns,
        SubmitterId = r.Text(Col.SubmitterId)!,
        CaseId = r.Text(Col.CaseSubmitterId)!,
        TestName = r.Text(Col.TestName),
        TestMethod = r.Text(Col.TestMethod),
        TestResultText = r.Text(Col.TestResultText),
        TestDaysFromIndex = r.Number(Col.TestDaysFromIndex),
    };
}

/// <summary>A row of the imaging_study node: one DICOM study.</summary>
public sealed record ClinicalImagingStudy : ClinicalCaseChild
{
#pragma warning disable CS1591
    public string? StudyUid { get; init; }
    public int? DaysToStudy { get; init; }
    public string? StudyModality { get; init; }
    public string? StudyDescription { get; init; }
#pragma warning restore CS1591

    internal static ClinicalImagingStudy From(ClinicalRow r) => new()
    {
        Source = r.Source,
        RejectedColumns = r.RejectedColumns,
        SubmitterId = r.Text(Col.SubmitterId)!,
        CaseId = r.Text(Col.CaseSubmitterId)!,
        StudyUid = r.Text(Col.StudyUid),
        DaysToStudy = r.Number(Col.DaysToStudy),
        StudyModality = r.Text(Col.StudyModality),
        StudyDescription = r.Text(Col.StudyDescription),
    };
}
