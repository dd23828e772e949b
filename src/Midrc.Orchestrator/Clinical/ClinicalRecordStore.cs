using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Submissions;
using Rows = Midrc.Curation.Clinical;

namespace Midrc.Orchestrator.Clinical;

/// <summary>
/// Keeps a site's clinical rows as its latest submission sent them, so releases can export them: a case (or a visit,
/// procedure, test or imaging study of a case) sent again replaces the row with the same id; rows not sent again stay.
/// A submission's file for a node is the whole of what that submission says for the node: when a corrected file
/// leaves out a row the submission sent before, the row is dropped (a dropped case takes its rows of every node with
/// it), and the dropped rows are kept in the audit log. Rows of a case the site never sent are left to the clinical
/// checks, which report them.
/// </summary>
public sealed class ClinicalRecordStore(MidrcDbContext db, AuditTrail audit)
{
    /// <summary>
    /// Adds or replaces the rows in the caller's unit of work, and drops the submission's earlier rows of the
    /// <paramref name="nodes"/> it sent files for that those files no longer hold.
    /// </summary>
    public async Task SaveAsync(Submission submission, IReadOnlyCollection<Rows.ClinicalNode> nodes, Rows.ClinicalSubmission rows, CancellationToken cancellationToken)
    {
        IEnumerable<Rows.ClinicalCaseChild> children = [.. rows.Visits, .. rows.Procedures, .. rows.Measurements, .. rows.ImagingStudies];
        var caseIds = rows.Cases.Select(c => c.SubmitterId).Concat(children.Select(c => c.CaseId)).Distinct(StringComparer.Ordinal).ToList();
        var sid = submission.Id;
        var cases = await db.ClinicalCases
            .Include(c => c.Visits).Include(c => c.Procedures).Include(c => c.Measurements).Include(c => c.ImagingStudies)
            .Where(c => c.SiteId == submission.SiteId && (caseIds.Contains(c.CaseId) || c.SubmissionId == sid
                || c.Visits.Any(v => v.SubmissionId == sid) || c.Procedures.Any(p => p.SubmissionId == sid)
                || c.Measurements.Any(m => m.SubmissionId == sid) || c.ImagingStudies.Any(s => s.SubmissionId == sid)))
            .ToDictionaryAsync(c => c.CaseId, StringComparer.Ordinal, cancellationToken);
        DropLeftOut(submission, nodes, rows, cases);
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
            SubmissionId = sid,
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
            SubmissionId = sid,
            BreathingSupportType = r.ProcedureType ?? "",
            DaysToStart = r.DaysToProcedureStart,
            DaysToEnd = r.DaysToProcedureEnd,
        });
        Replace(cases, rows.Measurements, c => c.Measurements, m => m.MeasurementId, r => r.SubmitterId, (c, r) => new ClinicalMeasurement
        {
            CaseId = c.Id,
            MeasurementId = r.SubmitterId,
            SubmissionId = sid,
            TestType = r.TestMethod ?? r.TestName ?? "",
            TestResult = r.TestResultText ?? "",
            DaysToTest = r.TestDaysFromIndex,
        });
        Replace(cases, rows.ImagingStudies.Where(s => s.StudyUid is not null), c => c.ImagingStudies, s => s.StudyInstanceUid, r => r.StudyUid!, (c, r) => new ClinicalImagingStudy
        {
            CaseId = c.Id,
            StudyInstanceUid = r.StudyUid!,
            SubmissionId = sid,
            DaysToStudy = r.DaysToStudy,
            StudyDescription = r.StudyDescription ?? "",
        });
    }

    /// <summary>
    /// Removes the submission's rows that its current file for their node no longer holds, and records them in one
    /// audit event with their values (the audit log is where history is kept).
    /// </summary>
    private void DropLeftOut(Submission submission, IReadOnlyCollection<Rows.ClinicalNode> nodes, Rows.ClinicalSubmission rows, Dictionary<string, ClinicalCase> cases)
    {
        var sent = nodes.ToHashSet();
        var dropped = new List<object>();
        var held = new Dictionary<Rows.ClinicalNode, HashSet<(string CaseId, string Id)>>
        {
            [Rows.ClinicalNode.Visit] = [.. rows.Visits.Select(r => (r.CaseId, r.SubmitterId))],
            [Rows.ClinicalNode.Procedure] = [.. rows.Procedures.Select(r => (r.CaseId, r.SubmitterId))],
            [Rows.ClinicalNode.Measurement] = [.. rows.Measurements.Select(r => (r.CaseId, r.SubmitterId))],
            [Rows.ClinicalNode.ImagingStudy] = [.. rows.ImagingStudies.Select(r => (r.CaseId, r.StudyUid ?? ""))],
        };
        bool LeftOut(Rows.ClinicalNode node, ClinicalCase owner, Guid? from, string id) =>
            sent.Contains(node) && from == submission.Id && !held[node].Contains((owner.CaseId, id));
        void Drop(ClinicalCase owner, bool all)
        {
            dropped.AddRange(Remove(owner.Visits, v => all || LeftOut(Rows.ClinicalNode.Visit, owner, v.SubmissionId, v.VisitId),
                v => new { node = "visit", id = v.VisitId, caseId = owner.CaseId, v.DaysToHospitalAdmission, v.DaysToIcuAdmission, v.DaysToIcuDischarge, v.DaysToHospitalDischarge, v.DischargeType }));
            dropped.AddRange(Remove(owner.Procedures, p => all || LeftOut(Rows.ClinicalNode.Procedure, owner, p.SubmissionId, p.ProcedureId),
                p => new { node = "procedure", id = p.ProcedureId, caseId = owner.CaseId, p.BreathingSupportType, p.DaysToStart, p.DaysToEnd }));
            dropped.AddRange(Remove(owner.Measurements, m => all || LeftOut(Rows.ClinicalNode.Measurement, owner, m.SubmissionId, m.MeasurementId),
                m => new { node = "measurement", id = m.MeasurementId, caseId = owner.CaseId, m.TestType, m.TestResult, m.DaysToTest }));
            dropped.AddRange(Remove(owner.ImagingStudies, s => all || LeftOut(Rows.ClinicalNode.ImagingStudy, owner, s.SubmissionId, s.StudyInstanceUid),
                s => new { node = "imaging_study", id = s.StudyInstanceUid, caseId = owner.CaseId, s.DaysToStudy, s.StudyDescription }));
        }

        var heldCases = rows.Cases.Select(r => r.SubmitterId).ToHashSet(StringComparer.Ordinal);
        var goneCases = sent.Contains(Rows.ClinicalNode.Case)
            ? cases.Values.Where(c => c.SubmissionId == submission.Id && !heldCases.Contains(c.CaseId)).ToList()
            : [];
        foreach (var gone in goneCases)
        {
            dropped.Add(new { node = "case", id = gone.CaseId, gone.AgeAtIndex, gone.AgeOver89, gone.Sex, gone.Race, gone.Ethnicity, gone.Zip3, gone.Covid19Positive, gone.IcuIndicator, gone.VentilatorIndicator });
            // A case's rows cannot be exported without it, whichever submission sent them.
            Drop(gone, all: true);
            cases.Remove(gone.CaseId);
            db.Remove(gone);
        }
        foreach (var owner in cases.Values)
        {
            Drop(owner, all: false);
        }
        if (dropped.Count > 0)
        {
            audit.Record(SubmissionIndexer.SystemActor, "clinical.rows-dropped", nameof(Submission), submission.Id.ToString(), submission.SiteId,
                new { round = submission.Round, reason = "The submission's corrected clinical files no longer hold these rows.", rows = dropped });
        }
    }

    /// <summary>Removes the rows that match; returns what each removed row held.</summary>
    private List<object> Remove<TEntity>(List<TEntity> list, Func<TEntity, bool> matches, Func<TEntity, object> values)
        where TEntity : class
    {
        var removed = list.Where(matches).ToList();
        foreach (var row in removed)
        {
            list.Remove(row);
            db.Remove(row);
        }
        return [.. removed.Select(values)];
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
