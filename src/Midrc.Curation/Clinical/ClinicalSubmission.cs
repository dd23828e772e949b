namespace Midrc.Curation.Clinical;

/// <summary>A hospital stay of a case as day offsets; <see cref="Discharge"/> is null while unknown (open-ended).</summary>
public sealed record HospitalStay(int Admission, int? Discharge)
{
    /// <summary>True when <paramref name="day"/> falls in the stay widened by the given days on each side.</summary>
    public bool Contains(int day, int daysBefore = 0, int daysAfter = 0) =>
        day >= Admission - daysBefore && (Discharge is not { } end || day <= end + daysAfter);
}

/// <summary>The clinical rows of a submission (or of everything a site has sent), typed per node.</summary>
public sealed record ClinicalSubmission
{
#pragma warning disable CS1591 // One list per dictionary node.
    public IReadOnlyList<ClinicalCase> Cases { get; init; } = [];
    public IReadOnlyList<ClinicalVisit> Visits { get; init; } = [];
    public IReadOnlyList<ClinicalProcedure> Procedures { get; init; } = [];
    public IReadOnlyList<ClinicalMeasurement> Measurements { get; init; } = [];
    public IReadOnlyList<ClinicalImagingStudy> ImagingStudies { get; init; } = [];
#pragma warning restore CS1591

    /// <summary>Nothing submitted.</summary>
    public static ClinicalSubmission Empty { get; } = new();

    /// <summary>Every row of the given parse results, typed by node.</summary>
    public static ClinicalSubmission From(IEnumerable<ClinicalCsvResult> results)
    {
        var rows = results.SelectMany(r => r.Rows).ToList();
        List<T> Of<T>(ClinicalNode node, Func<ClinicalRow, T> from) => rows.Where(r => r.Node == node).Select(from).ToList();
        return new()
        {
            Cases = Of(ClinicalNode.Case, ClinicalCase.From),
            Visits = Of(ClinicalNode.Visit, ClinicalVisit.From),
            Procedures = Of(ClinicalNode.Procedure, ClinicalProcedure.From),
            Measurements = Of(ClinicalNode.Measurement, ClinicalMeasurement.From),
            ImagingStudies = Of(ClinicalNode.ImagingStudy, ClinicalImagingStudy.From),
        };
    }

    /// <summary>
    /// What the site has on record after this submission: <paramref name="previous"/> with every row whose id
    /// this submission sends again replaced by the new row (resending a row corrects it).
    /// </summary>
    public ClinicalSubmission OnTopOf(ClinicalSubmission previous)
    {
        static List<T> Merge<T>(IReadOnlyList<T> old, IReadOnlyList<T> current) where T : ClinicalRecord
        {
            var replaced = current.Select(r => r.SubmitterId).ToHashSet(StringComparer.Ordinal);
            return [.. old.Where(r => !replaced.Contains(r.SubmitterId)), .. current];
        }
        return new()
        {
            Cases = Merge(previous.Cases, Cases),
            Visits = Merge(previous.Visits, Visits),
            Procedures = Merge(previous.Procedures, Procedures),
            Measurements = Merge(previous.Measurements, Measurements),
            ImagingStudies = Merge(previous.ImagingStudies, ImagingStudies),
        };
    }

    /// <summary>The hospital stays of a case: its visits that have an admission day.</summary>
    public IEnumerable<HospitalStay> StaysOf(string caseId) => Visits
        .Where(v => v.CaseId == caseId && v.DaysToHospitalAdmission is not null)
        .Select(v => new HospitalStay(v.DaysToHospitalAdmission!.Value, v.DaysToHospitalDischarge));
}
