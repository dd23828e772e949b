using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Clinical;

/// <summary>
/// A patient in the MIDRC data dictionary's shape. Identified only by the site's pseudonym; every
/// time is a day offset from the index event, never a date.
/// </summary>
public sealed class ClinicalCase
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public Guid SubmissionId { get; set; }
    public Submission? Submission { get; set; }

    /// <summary>The site's pseudonymous case id (equals the DICOM Patient ID).</summary>
    public required string CaseId { get; set; }

    /// <summary>Age at the index event; null when <see cref="AgeOver89"/> is set.</summary>
    public int? AgeAtIndex { get; set; }
    public bool AgeOver89 { get; set; }
    public string Sex { get; set; } = "";
    public string Race { get; set; } = "";
    public string Ethnicity { get; set; } = "";

    /// <summary>The first three digits of the ZIP code, or empty.</summary>
    public string Zip3 { get; set; } = "";
    public string Covid19Positive { get; set; } = "";
    public string IcuIndicator { get; set; } = "";
    public string VentilatorIndicator { get; set; } = "";
    public List<ClinicalVisit> Visits { get; init; } = [];
    public List<ClinicalProcedure> Procedures { get; init; } = [];
    public List<ClinicalMeasurement> Measurements { get; init; } = [];
    public List<ClinicalImagingStudy> ImagingStudies { get; init; } = [];
}

/// <summary>A hospital stay, with ICU days when there were any.</summary>
public sealed class ClinicalVisit
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public required string VisitId { get; set; }

    /// <summary>
    /// The submission that last sent the row: a corrected file of that submission that leaves the row out drops it.
    /// Null for rows stored before rows recorded their submission, which nothing drops.
    /// </summary>
    public Guid? SubmissionId { get; set; }
    public int? DaysToHospitalAdmission { get; set; }
    public int? DaysToHospitalDischarge { get; set; }
    public int? DaysToIcuAdmission { get; set; }
    public int? DaysToIcuDischarge { get; set; }
    public string DischargeType { get; set; } = "";
}

/// <summary>Breathing support given during a stay.</summary>
public sealed class ClinicalProcedure
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public required string ProcedureId { get; set; }

    /// <summary>
    /// The submission that last sent the row: a corrected file of that submission that leaves the row out drops it.
    /// Null for rows stored before rows recorded their submission, which nothing drops.
    /// </summary>
    public Guid? SubmissionId { get; set; }
    public required string BreathingSupportType { get; set; }
    public int? DaysToStart { get; set; }
    public int? DaysToEnd { get; set; }
}

/// <summary>A COVID-19 test and its result.</summary>
public sealed class ClinicalMeasurement
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public required string MeasurementId { get; set; }

    /// <summary>
    /// The submission that last sent the row: a corrected file of that submission that leaves the row out drops it.
    /// Null for rows stored before rows recorded their submission, which nothing drops.
    /// </summary>
    public Guid? SubmissionId { get; set; }
    public required string TestType { get; set; }
    public required string TestResult { get; set; }
    public int? DaysToTest { get; set; }
}

/// <summary>The clinical side of an imaging study, linked to the DICOM study by its UID.</summary>
public sealed class ClinicalImagingStudy
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid CaseId { get; set; }
    public required string StudyInstanceUid { get; set; }

    /// <summary>
    /// The submission that last sent the row: a corrected file of that submission that leaves the row out drops it.
    /// Null for rows stored before rows recorded their submission, which nothing drops.
    /// </summary>
    public Guid? SubmissionId { get; set; }
    public int? DaysToStudy { get; set; }
    public string StudyDescription { get; set; } = "";
}
