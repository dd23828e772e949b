using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Submissions;
using Rows = Midrc.Curation.Clinical;

namespace Midrc.Orchestrator.Clinical;

/// <summary>
/// Keeps a site's clinical rows as its latest submission sent them, so releases can export them: a case (or a visit,
/// procedure, test or imaging study of a case) sent again replaces the row with the same id; rows not sent again stay.
/// Rows of a case the site never sent are left to the clinical checks, which report them.
/// </summary>
public sealed class ClinicalRecordStore(MidrcDbContext db)
{
    /// <summary>Adds or replaces the rows in the caller's unit of work.</summary>
    public async Task SaveAsync(Submission submission, Rows.ClinicalSubmission rows, CancellationToken cancellationToken)
    {
        IEnumerable<Rows.ClinicalCaseChild> children = [.. rows.Visits, .. rows.Procedures, .. rows.Measurements, .. rows.ImagingStudies];
        var caseIds = rows.Cases.Select(c => c.SubmitterId).Concat(children.Select(c => c.CaseId)).Distinct(StringComparer.Ordinal).ToList();
        if (caseIds.Count == 0)
        {
            return;
        }
        var cases = await db.ClinicalCases
            .Include(c => c.Visits).Include(c => c.Procedures).Include(c => c.Measurements).Include(c => c.ImagingStudies)
            .Where(c => c.SiteId == submission.SiteId && caseIds.Contains(c.CaseId))
            .ToDictionaryAsync(c => c.CaseId, StringComparer.Ordinal, cancellationToken);
        foreach (var row in rows.Cases)
        {
            if (!cases.TryGetValue(row.SubmitterId, out var entity))
            {
                entity = new ClinicalCase { SiteId = submission.SiteId, CaseId = row.SubmitterId };
                cases[row.SubmitterId] = entity;
                db.ClinicalCases.Add(entity);
            }
            entity.SubmissionId = submission.Id;
            entity.AgeAtIndex = row.AgeAtIndex;
            entity.AgeOver89 = row.AgeAtIndexGt89 == true;
            entity.Sex = row.Sex ?? "";
            entity.Race = row.Race ?? "";
            entity.Ethnicity = row.Ethnicity ?? "";
            entity.Zip3 = row.Zip is { Length: >= 3 } zip ? zip[..3] : "";
            entity.Covid19Positive = row.Covid19Positive ?? "";
            entity.IcuIndicator = YesNo(row.IcuIndicator);
            entity.VentilatorIndicator = YesNo(row.VentilatorIndicator);
        }
        Replace(cases, rows.Visits, c => c.Visits, v => v.VisitId, r => r.SubmitterId, (c, r) => new ClinicalVisit
        {
            CaseId = c.Id,
            VisitId = r.SubmitterId,
            DaysToHospitalAdmission = r.DaysToHospitalAdmission,
            DaysToHospitalDischarge = r.DaysToHospitalDischarge,
            DaysToIcuAdmission = r.DaysToIcuAdmission,
            DaysToIcuDischarge = r.DaysToIcuDischarge,
            DischargeType = r.DischargeType ?? "",
        });
        Replace(cases, rows.Procedures, c => c.Procedures, p => p.ProcedureId, r => r.SubmitterId, (c, r) => new ClinicalProcedure
        {
            CaseId = c.Id,
            ProcedureId = r.SubmitterId,
            BreathingSupportType = r.ProcedureType ?? "",
            DaysToStart = r.DaysToProcedureStart,
            DaysToEnd = r.DaysToProcedureEnd,
        });
        Replace(cases, rows.Measurements, c => c.Measurements, m => m.MeasurementId, r => r.SubmitterId, (c, r) => new ClinicalMeasurement
        {
            CaseId = c.Id,
            MeasurementId = r.SubmitterId,
            TestType = r.TestMethod ?? r.TestName ?? "",
            TestResult = r.TestResultText ?? "",
            DaysToTest = r.TestDaysFromIndex,
        });
        Replace(cases, rows.ImagingStudies.Where(s => s.StudyUid is not null), c => c.ImagingStudies, s => s.StudyInstanceUid, r => r.StudyUid!, (c, r) => new ClinicalImagingStudy
        {
            CaseId = c.Id,
            StudyInstanceUid = r.StudyUid!,
            DaysToStudy = r.DaysToStudy,
            StudyDescription = r.StudyDescription ?? "",
        });
    }

    private void Replace<TRow, TEntity>(
        Dictionary<string, ClinicalCase> cases, IEnumerable<TRow> rows, Func<ClinicalCase, List<TEntity>> of,
        Func<TEntity, string> entityKey, Func<TRow, string> rowKey, Func<ClinicalCase, TRow, TEntity> create)
        where TRow : Rows.ClinicalCaseChild
        where TEntity : class
    {
        foreach (var row in rows)
        {
            if (!cases.TryGetValue(row.CaseId, out var owner))
            {
                continue;
            }
            var list = of(owner);
            foreach (var old in list.Where(e => entityKey(e) == rowKey(row)).ToList())
            {
                list.Remove(old);
                db.Remove(old);
            }
            var added = create(owner, row);
            list.Add(added);
            db.Add(added);
        }
    }

    private static string YesNo(bool? value) => value switch
    {
        true => "Yes",
        false => "No",
        null => "",
    };
}
