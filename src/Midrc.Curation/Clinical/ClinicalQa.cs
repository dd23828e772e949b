using Midrc.Curation.Findings;
using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Clinical;

/// <summary>
/// Clinical QA across the rows and nodes of a submission, on top of what the site sent before: unique ids,
/// every row's case exists, every case has an imaging study, events in time order, the age rule, and the
/// ICU and ventilator indicators agree with the visits and procedures. Findings are only raised where this
/// submission is involved, so rows accepted before are not reported again.
/// </summary>
public static class ClinicalQa
{
    /// <summary>The findings for <paramref name="submission"/>, given everything the site sent before.</summary>
    public static IReadOnlyList<Finding> Check(ClinicalSubmission submission, ClinicalSubmission? previouslyReceived = null)
    {
        var all = previouslyReceived is null ? submission : submission.OnTopOf(previouslyReceived);
        var current = new HashSet<ClinicalRecord>(
            [.. submission.Cases, .. submission.Visits, .. submission.Procedures, .. submission.Measurements, .. submission.ImagingStudies],
            ReferenceEqualityComparer.Instance);
        ClinicalCaseChild[] children = [.. submission.Visits, .. submission.Procedures, .. submission.Measurements, .. submission.ImagingStudies];
        var touched = submission.Cases.Select(c => c.SubmitterId).Concat(children.Select(c => c.CaseId)).ToHashSet(StringComparer.Ordinal);

        var findings = new List<Finding>();
        findings.AddRange(DuplicateIds(submission.Cases));
        findings.AddRange(DuplicateIds(submission.Visits));
        findings.AddRange(DuplicateIds(submission.Procedures));
        findings.AddRange(DuplicateIds(submission.Measurements));
        findings.AddRange(DuplicateIds(submission.ImagingStudies));
        findings.AddRange(DuplicateStudyUids(all.ImagingStudies, current));
        findings.AddRange(UnknownCases(children, all));
        findings.AddRange(submission.Cases.SelectMany(Age));
        findings.AddRange(submission.Visits.SelectMany(v => InOrder(v,
            (Col.DaysToHospitalAdmission, v.DaysToHospitalAdmission), (Col.DaysToIcuAdmission, v.DaysToIcuAdmission),
            (Col.DaysToIcuDischarge, v.DaysToIcuDischarge), (Col.DaysToHospitalDischarge, v.DaysToHospitalDischarge))));
        findings.AddRange(submission.Procedures.SelectMany(p => InOrder(p,
            (Col.DaysToProcedureStart, p.DaysToProcedureStart), (Col.DaysToProcedureEnd, p.DaysToProcedureEnd))));
        findings.AddRange(submission.Procedures.SelectMany(p => WithinStay(p, all)));
        foreach (var @case in all.Cases.Where(c => touched.Contains(c.SubmitterId)))
        {
            findings.AddRange(CaseConsistency(@case, all));
        }
        return findings;
    }

    static IEnumerable<Finding> DuplicateIds<T>(IReadOnlyList<T> rows) where T : ClinicalRecord =>
        rows.GroupBy(r => r.SubmitterId, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1).Select(r =>
            r.Source.Finding(Col.SubmitterId, ClinicalRules.DuplicateId, Severity.Error,
                $"The id {r.SubmitterId} is used by more than one row (first in {Where(g.First())}).",
                "Each row needs its own submitter_id. If the rows describe the same thing, keep one; otherwise give each a different id.")));

    static IEnumerable<Finding> DuplicateStudyUids(IReadOnlyList<ClinicalImagingStudy> studies, HashSet<ClinicalRecord> current) =>
        studies.Where(s => s.StudyUid is not null).GroupBy(s => s.StudyUid!, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .SelectMany(g => g.Skip(1).Where(current.Contains).Select(s =>
                s.Source.Finding(Col.StudyUid, ClinicalRules.DuplicateStudyUid, Severity.Error,
                    $"The Study Instance UID {s.StudyUid} is also named by imaging study {g.First().SubmitterId} ({Where(g.First())}).",
                    "One DICOM study is one imaging_study row. Remove the duplicate row, or correct the study_uid to the study this row describes.")));

    static IEnumerable<Finding> UnknownCases(IEnumerable<ClinicalCaseChild> children, ClinicalSubmission all)
    {
        var cases = all.Cases.Select(c => c.SubmitterId).ToHashSet(StringComparer.Ordinal);
        return children.Where(c => !cases.Contains(c.CaseId)).Select(c =>
            c.Source.Finding(Col.CaseSubmitterId, ClinicalRules.UnknownCase, Severity.Error,
                $"This row belongs to case {c.CaseId}, but no case with that id has been sent.",
                "Add the case to the case file (or correct the id here to an existing case's submitter_id)."));
    }

    static IEnumerable<Finding> Age(ClinicalCase c)
    {
        if (c.AgeAtIndex is null && c.AgeAtIndexGt89 != true && !c.RejectedColumns.Contains(Col.AgeAtIndex))
        {
            yield return c.Source.Finding(Col.AgeAtIndex, ClinicalRules.AgeMissing, Severity.Error,
                $"Case {c.SubmitterId} has no age and is not flagged as older than {ClinicalValueLimits.MaxAge}.",
                $"Fill in the age in years (0 to {ClinicalValueLimits.MaxAge}); for patients older than {ClinicalValueLimits.MaxAge} leave it blank and set {Col.AgeAtIndexGt89} to Yes.");
        }
        if (c.AgeAtIndex is not null && c.AgeAtIndexGt89 == true)
        {
            yield return c.Source.Finding(Col.AgeAtIndexGt89, ClinicalRules.AgeFlagConflict, Severity.Error,
                $"Case {c.SubmitterId} has an age and is also flagged as older than {ClinicalValueLimits.MaxAge}.",
                $"For patients older than {ClinicalValueLimits.MaxAge} leave {Col.AgeAtIndex} blank; otherwise set {Col.AgeAtIndexGt89} to No.");
        }
    }

    /// <summary>Reports each given event that comes before the previous given event.</summary>
    static IEnumerable<Finding> InOrder(ClinicalRecord row, params (string Column, int? Day)[] events)
    {
        var present = events.Where(e => e.Day is not null).ToList();
        var order = string.Join(" ≤ ", events.Select(e => e.Column));
        return present.Zip(present.Skip(1)).Where(p => p.First.Day > p.Second.Day).Select(p =>
            row.Source.Finding(p.Second.Column, ClinicalRules.TimelineOrder, Severity.Error,
                $"{p.Second.Column} ({p.Second.Day}) is earlier than {p.First.Column} ({p.First.Day}).",
                $"The days must be in order: {order}. Check both values: each counts days from the case's index event."));
    }

    static IEnumerable<Finding> WithinStay(ClinicalProcedure p, ClinicalSubmission all)
    {
        var stays = all.StaysOf(p.CaseId).ToList();
        if (p.DaysToProcedureStart is not { } start || stays.Count == 0
            || stays.Any(s => s.Contains(start) && (p.DaysToProcedureEnd is not { } end || s.Contains(end))))
        {
            yield break;
        }
        yield return p.Source.Finding(Col.DaysToProcedureStart, ClinicalRules.ProcedureOutsideStay, Severity.Error,
            $"{p.ProcedureType ?? "The breathing support"} from day {start} to day {p.DaysToProcedureEnd?.ToString() ?? "(unknown)"} is not within any hospital stay of case {p.CaseId} ({Describe(stays)}).",
            "Breathing support is recorded during a hospital stay. Check the procedure's days and the visit's admission and discharge days.");
    }

    static IEnumerable<Finding> CaseConsistency(ClinicalCase c, ClinicalSubmission all)
    {
        if (!all.ImagingStudies.Any(s => s.CaseId == c.SubmitterId))
        {
            yield return c.Source.Finding(Col.SubmitterId, ClinicalRules.CaseWithoutImagingStudy, Severity.Error,
                $"Case {c.SubmitterId} has no imaging study.",
                "Every case needs at least one row in the imaging_study file (and the DICOM study it names). Add it, or remove the case.");
        }

        var icuDays = all.Visits.Any(v => v.CaseId == c.SubmitterId && (v.DaysToIcuAdmission is not null || v.DaysToIcuDischarge is not null));
        var indicator = Indicator(c, Col.IcuIndicator, c.IcuIndicator, icuDays, ClinicalRules.IcuIndicatorMismatch,
            "a visit of this case has ICU admission or discharge days", "no visit of this case has ICU days",
            "Set icu_indicator to Yes, or remove the ICU days from the visit if the patient was not in an ICU.",
            "Add the ICU admission and discharge days to the visit, or set icu_indicator to No.");
        if (indicator is not null)
        {
            yield return indicator;
        }

        var ventilated = all.Procedures.Any(p => p.CaseId == c.SubmitterId && p.ProcedureType == BreathingSupport.MechanicalVentilation);
        indicator = Indicator(c, Col.VentilatorIndicator, c.VentilatorIndicator, ventilated, ClinicalRules.VentilatorIndicatorMismatch,
            "the case has a Mechanical Ventilation procedure", "the case has no Mechanical Ventilation procedure",
            "Set ventilator_indicator to Yes, or correct the procedure_type of the procedure.",
            "Add the Mechanical Ventilation procedure with its days, or set ventilator_indicator to No.");
        if (indicator is not null)
        {
            yield return indicator;
        }
    }

    /// <summary>
    /// An indicator saying No against evidence is an error; one saying Yes without evidence is a warning,
    /// because the days may simply not have been recorded.
    /// </summary>
    static Finding? Indicator(ClinicalCase c, string column, bool? indicator, bool evidence, string rule,
        string evidenceText, string noEvidenceText, string hintWhenNo, string hintWhenYes) => (indicator, evidence) switch
        {
            (false, true) => c.Source.Finding(column, rule, Severity.Error, $"{column} is No, but {evidenceText}.", hintWhenNo),
            (true, false) => c.Source.Finding(column, rule, Severity.Warning, $"{column} is Yes, but {noEvidenceText}.", hintWhenYes),
            _ => null,
        };

    internal static string Where(ClinicalRecord r) => $"{r.Source.File} row {r.Source.Row}";

    internal static string Describe(IEnumerable<HospitalStay> stays) =>
        string.Join("; ", stays.Select(s => $"day {s.Admission} to {s.Discharge?.ToString() ?? "(no discharge day)"}"));
}
