using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Clinical;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// Turns a completed submission's received files into the index (study, series, instance, all quarantined) and its
/// findings: per file, across files (duplicates against everything the site sent before: the same SOP Instance with
/// the same bytes is recognised and indexed once, with different bytes it is a finding), and clinical. All of it is
/// saved in one transaction, so a submission is either not yet visible or complete. A Hangfire job; safe to run twice.
/// </summary>
public sealed class SubmissionIndexer(MidrcDbContext db, SubmissionIntake intake, ISubmissionEvents events, TimeProvider clock)
{
    public const string RecurringJobId = "submissions-resume-indexing";

    private static readonly Lazy<CurationProfile> Profile = new(ProfileLoader.LoadDefault);

    /// <summary>Indexes the submission when it was completed and is not indexed yet, then reports its receipt.</summary>
    public async Task IndexAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null || submission.Status == SubmissionStatus.Receiving)
        {
            return;
        }
        if (submission.Status == SubmissionStatus.Analyzing)
        {
            await BuildAsync(submission, cancellationToken);
        }
        await events.ReceivedAsync(submission.Id, cancellationToken);
    }

    /// <summary>
    /// Indexes every submission left completed but not indexed (a lost job queue, a restart of the embedded default).
    /// Runs at start-up and every few minutes.
    /// </summary>
    public async Task ResumePendingAsync(CancellationToken cancellationToken)
    {
        var pending = await db.Submissions.Where(s => s.Status == SubmissionStatus.Analyzing).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var id in pending)
        {
            await IndexAsync(id, cancellationToken);
        }
    }

    private async Task BuildAsync(Submission submission, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var files = await db.ReceivedFiles.AsNoTracking().Where(f => f.SubmissionId == submission.Id)
            .OrderBy(f => f.ReceivedAt).ThenBy(f => f.Name).ToListAsync(cancellationToken);
        var dicom = files.Where(f => f.Kind == ReceivedFileKind.Dicom)
            .Select(f => (File: f, Analysis: SubmissionIntake.Deserialize(f.Analysis))).ToList();
        var attributesByName = dicom.GroupBy(d => d.File.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Analysis.Index, StringComparer.Ordinal);

        var sops = dicom.Select(d => d.File.SopInstanceUid).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var earlier = await db.Instances.AsNoTracking()
            .Where(i => i.Submission!.SiteId == submission.SiteId && i.SubmissionId != submission.Id && sops.Contains(i.SopInstanceUid))
            .Select(i => new { i.SopInstanceUid, i.Sha256 }).ToListAsync(cancellationToken);
        var alreadyReceived = earlier.GroupBy(i => i.SopInstanceUid, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Sha256, StringComparer.Ordinal);

        var instanceByName = await IndexInstancesAsync(submission, dicom.Select(d => (d.File, d.Analysis.Index)).ToList(), alreadyReceived, now, cancellationToken);

        var findings = new List<(Finding Finding, Guid? InstanceId)>();
        findings.AddRange(dicom.SelectMany(d => d.Analysis.Findings.Select(f => (f, instanceByName.TryGetValue(d.File.Name, out var id) ? id : (Guid?)null))));
        var checker = new SubmissionChecker(Profile.Value);
        var submitted = dicom.Select(d => new SubmittedFile(d.File.Name, d.File.Sha256, d.Analysis.Index)).ToList();
        findings.AddRange(checker.Check(submitted, alreadyReceived, new DeclaredCounts(submission.DeclaredFiles, submission.DeclaredStudies))
            .Select(f => (f, instanceByName.TryGetValue(f.File, out var id) ? id : (Guid?)null)));
        findings.AddRange((await ClinicalFindingsAsync(files, cancellationToken)).Select(f => (f, (Guid?)null)));

        db.Findings.AddRange(findings.Select(x => ToRow(x.Finding, submission, x.InstanceId, attributesByName.GetValueOrDefault(x.Finding.File), now)));
        submission.Status = SubmissionStatus.Received;
        submission.CompletedAt = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Adds study, series and instance rows; returns the instance id per file name.</summary>
    private async Task<Dictionary<string, Guid>> IndexInstancesAsync(
        Submission submission, List<(ReceivedFile File, IndexAttributes Index)> dicom, IReadOnlyDictionary<string, string> alreadyReceived,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var indexable = dicom.Where(d => d.File.Readable && d.Index is { SopInstanceUid.Length: > 0, SopClassUid.Length: > 0, StudyInstanceUid.Length: > 0, SeriesInstanceUid.Length: > 0 }).ToList();
        var studyUids = indexable.Select(d => d.Index.StudyInstanceUid!).Distinct(StringComparer.Ordinal).ToList();
        var studies = await db.Studies.Include(s => s.Series)
            .Where(s => s.SiteId == submission.SiteId && studyUids.Contains(s.StudyInstanceUid))
            .ToDictionaryAsync(s => s.StudyInstanceUid, StringComparer.Ordinal, cancellationToken);
        var instanceByName = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var indexedSops = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, index) in indexable)
        {
            var sop = index.SopInstanceUid!;
            // The first file with a SOP Instance UID is indexed; a recognised duplicate of an earlier submission is not indexed again.
            if (!indexedSops.Add(sop) || (alreadyReceived.TryGetValue(sop, out var earlierHash) && earlierHash == file.Sha256))
            {
                continue;
            }
            if (!studies.TryGetValue(index.StudyInstanceUid!, out var study))
            {
                study = new Study { SiteId = submission.SiteId, StudyInstanceUid = index.StudyInstanceUid!, PatientPseudonym = index.PatientId ?? "", Description = index.StudyDescription ?? "" };
                studies[study.StudyInstanceUid] = study;
                db.Studies.Add(study);
            }
            var series = study.Series.FirstOrDefault(s => s.SeriesInstanceUid == index.SeriesInstanceUid);
            if (series is null)
            {
                series = new Series
                {
                    Study = study,
                    SeriesInstanceUid = index.SeriesInstanceUid!,
                    Modality = index.Modality ?? "",
                    BodyPart = index.BodyPartExamined ?? "",
                    Description = index.SeriesDescription ?? "",
                };
                study.Series.Add(series);
                db.Series.Add(series);
            }
            var instance = new Instance
            {
                Series = series,
                SubmissionId = submission.Id,
                SopInstanceUid = sop,
                SopClassUid = index.SopClassUid!,
                TransferSyntaxUid = index.TransferSyntaxUid ?? "",
                Sha256 = file.Sha256,
                OriginalName = file.Name,
                QuarantineState = QuarantineState.Quarantined,
                ReceivedAt = file.ReceivedAt,
            };
            db.Instances.Add(instance);
            instanceByName[file.Name] = instance.Id;
        }
        return instanceByName;
    }

    /// <summary>Per-row findings of each clinical file, then the checks across the submission's clinical files.</summary>
    private async Task<IReadOnlyList<Finding>> ClinicalFindingsAsync(List<ReceivedFile> files, CancellationToken cancellationToken)
    {
        var results = new List<ClinicalCsvResult>();
        foreach (var file in files.Where(f => f.Kind == ReceivedFileKind.Clinical))
        {
            var node = ClinicalDictionary.Nodes.Single(n => n.Name == file.ClinicalNode).Node;
            results.Add(await intake.ReadClinicalAsync(file.Sha256, file.Name, node, cancellationToken));
        }
        return results.Count == 0 ? [] : [.. results.SelectMany(r => r.Findings), .. ClinicalQa.Check(ClinicalSubmission.From(results))];
    }

    private static QaFinding ToRow(Finding f, Submission submission, Guid? instanceId, IndexAttributes? attributes, DateTimeOffset at) => new()
    {
        SiteId = submission.SiteId,
        SubmissionId = submission.Id,
        InstanceId = instanceId,
        Rule = f.Rule,
        Severity = f.Severity,
        File = f.File,
        Tag = f.Tag,
        Path = f.Path,
        Keyword = f.Keyword,
        Message = f.Message,
        Hint = f.Hint,
        StudyInstanceUid = attributes?.StudyInstanceUid ?? "",
        SeriesInstanceUid = attributes?.SeriesInstanceUid ?? "",
        CreatedAt = at,
    };
}
