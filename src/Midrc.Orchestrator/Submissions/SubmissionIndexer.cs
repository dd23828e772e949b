using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Clinical;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;
using Midrc.Orchestrator.Clinical;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// Turns a completed round of a submission's received files into the index (study, series, instance, all quarantined)
/// and its findings: per file, across files (duplicates against everything the site sent before: the same SOP Instance
/// with the same bytes is recognised and indexed once, with different bytes it is a finding), clinical, and clinical
/// against images. A corrected file (a later round) with a SOP Instance UID or name the submission already holds
/// replaces the earlier one, whose instance is superseded; every check runs again over the submission's current
/// content, so findings no longer reproduced are closed as fixed, those still present stay open, and new ones are added.
/// Each round is saved in one transaction. A Hangfire job; safe to run twice.
/// </summary>
public sealed class SubmissionIndexer(MidrcDbContext db, SubmissionIntake intake, ClinicalRecordStore clinicalRecords, ISubmissionEvents events, TimeProvider clock)
{
    public const string RecurringJobId = "submissions-resume-indexing";

    /// <summary>Who closes a finding that a resubmission fixed.</summary>
    public const string SystemActor = "system";

    private static readonly Lazy<CurationProfile> Profile = new(ProfileLoader.LoadDefault);

    /// <summary>Indexes the submission's completed round when it is not indexed yet, then reports it (receipt, or a resubmission).</summary>
    public async Task IndexAsync(Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null || submission.Status == SubmissionStatus.Receiving)
        {
            return;
        }
        if (submission.IndexedRound < submission.Round)
        {
            await BuildAsync(submission, cancellationToken);
        }
        if (submission.Round == 1)
        {
            await events.ReceivedAsync(submission.Id, cancellationToken);
        }
        else
        {
            await events.ResubmittedAsync(submission.Id, submission.Round, cancellationToken);
        }
    }

    /// <summary>
    /// Indexes every round left completed but not indexed, and reports every round indexed but never reported (a lost
    /// job queue, a restart of the embedded default, a process stopped between indexing and reporting). Runs every few
    /// minutes; reports carry idempotency keys, so one made meanwhile by the round's own job is made once.
    /// </summary>
    public async Task ResumePendingAsync(CancellationToken cancellationToken)
    {
        var pending = await db.Submissions.AsNoTracking().Where(s => s.Status != SubmissionStatus.Receiving && s.IndexedRound < s.Round)
            .Select(s => s.Id).ToListAsync(cancellationToken);
        // Still where indexing left them: a first round received, a corrected round back in the fix loop.
        var indexed = await db.Submissions.AsNoTracking()
            .Where(s => s.IndexedRound == s.Round
                && ((s.Round == 1 && s.Status == SubmissionStatus.Received) || (s.Round > 1 && s.Status == SubmissionStatus.AwaitingFixes)))
            .Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var id in pending.Concat(await events.UnreportedAsync(indexed, cancellationToken)))
        {
            await IndexAsync(id, cancellationToken);
        }
    }

    private async Task BuildAsync(Submission submission, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var files = await db.ReceivedFiles.AsNoTracking().Where(f => f.SubmissionId == submission.Id && f.Round <= submission.Round)
            .OrderBy(f => f.ReceivedAt).ThenBy(f => f.Name).ToListAsync(cancellationToken);
        var all = files.Where(f => f.Kind == ReceivedFileKind.Dicom)
            .Select(f => (File: f, Analysis: SubmissionIntake.Deserialize(f.Analysis))).ToList();
        var dicom = Current(all);
        var attributesByName = all.GroupBy(d => d.File.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Analysis.Index, StringComparer.Ordinal);

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
        var clinical = await ClinicalAsync(files, cancellationToken);
        if (clinical.Count > 0)
        {
            var rows = ClinicalSubmission.From(clinical);
            findings.AddRange(clinical.SelectMany(r => r.Findings).Select(f => (f, (Guid?)null)));
            findings.AddRange(ClinicalQa.Check(rows).Select(f => (f, (Guid?)null)));
            findings.AddRange(new ClinicalImageCrossCheck(new ImagingStayWindowOptions())
                .Check(rows, ReceivedStudy.From(dicom.Select(d => (d.File.Name, d.Analysis.Index)))).Select(f => (f, (Guid?)null)));
            await clinicalRecords.SaveAsync(submission, [.. clinical.Select(r => r.Node)], rows, cancellationToken);
        }

        var sopByName = all.GroupBy(d => d.File.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().File.SopInstanceUid, StringComparer.Ordinal);
        await ReconcileFindingsAsync(submission, findings, sopByName, attributesByName, now, cancellationToken);
        if (submission.Round == 1)
        {
            submission.Status = SubmissionStatus.Received;
            submission.CompletedAt = now;
        }
        submission.IndexedRound = submission.Round;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The submission's current DICOM content: a file is left out when a later round sent a file with the same name or
    /// the same SOP Instance UID (the correction replaces it). Files of one round are all kept, duplicates included.
    /// </summary>
    private static List<(ReceivedFile File, ReceivedAnalysis Analysis)> Current(List<(ReceivedFile File, ReceivedAnalysis Analysis)> all)
    {
        var lastRoundByName = all.GroupBy(d => d.File.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(d => d.File.Round), StringComparer.Ordinal);
        var lastRoundBySop = all.Where(d => d.File.SopInstanceUid.Length > 0).GroupBy(d => d.File.SopInstanceUid, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(d => d.File.Round), StringComparer.Ordinal);
        return [.. all.Where(d => lastRoundByName[d.File.Name] == d.File.Round
            && (d.File.SopInstanceUid.Length == 0 || lastRoundBySop[d.File.SopInstanceUid] == d.File.Round))];
    }

    /// <summary>
    /// Matches the checks' findings with the submission's stored ones by rule, file (its SOP Instance UID when known),
    /// tag and path: an open finding reproduced stays open (pointing at the current file), one not reproduced is closed
    /// as fixed, a waived one reproduced stays waived, and anything else found is added.
    /// </summary>
    private async Task ReconcileFindingsAsync(
        Submission submission, List<(Finding Finding, Guid? InstanceId)> found, Dictionary<string, string> sopByName,
        Dictionary<string, IndexAttributes> attributesByName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string Key(string rule, string file, string tag, string path) =>
            $"{rule}\u0001{(sopByName.TryGetValue(file, out var sop) && sop.Length > 0 ? sop : file)}\u0001{tag}\u0001{path}";
        var pending = found.GroupBy(f => Key(f.Finding.Rule, f.Finding.File, f.Finding.Tag, f.Finding.Path), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new Queue<(Finding Finding, Guid? InstanceId)>(g), StringComparer.Ordinal);
        var stored = await db.Findings.Where(f => f.SubmissionId == submission.Id && f.Status != FindingStatus.Fixed)
            .OrderBy(f => f.CreatedAt).ToListAsync(cancellationToken);
        foreach (var row in stored)
        {
            if (pending.TryGetValue(Key(row.Rule, row.File, row.Tag, row.Path), out var queue) && queue.TryDequeue(out var still))
            {
                row.InstanceId = still.InstanceId;
                row.File = still.Finding.File;
                row.Message = still.Finding.Message;
            }
            else if (row.Status is FindingStatus.Open or FindingStatus.WaiverRequested)
            {
                row.Status = FindingStatus.Fixed;
                row.ClosedAt = now;
                row.ClosedBy = SystemActor;
            }
        }
        db.Findings.AddRange(pending.Values.SelectMany(q => q)
            .Select(x => ToRow(x.Finding, submission, x.InstanceId, attributesByName.GetValueOrDefault(x.Finding.File), now)));
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
        // Instances of earlier rounds: kept when their file is still current, superseded when a correction replaced it.
        var previous = await db.Instances.Where(i => i.SubmissionId == submission.Id && i.QuarantineState != QuarantineState.Superseded).ToListAsync(cancellationToken);
        var indexedSops = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, index) in indexable)
        {
            var sop = index.SopInstanceUid!;
            if (previous.FirstOrDefault(i => i.SopInstanceUid == sop && i.Sha256 == file.Sha256) is { } kept)
            {
                indexedSops.Add(sop);
                instanceByName[file.Name] = kept.Id;
                continue;
            }
            // The first file with a SOP Instance UID is indexed; a recognised duplicate of an earlier submission is not indexed again.
            if (!indexedSops.Add(sop) || (alreadyReceived.TryGetValue(sop, out var earlierHash) && earlierHash == file.Sha256))
            {
                continue;
            }
            foreach (var replaced in previous.Where(i => i.SopInstanceUid == sop))
            {
                replaced.QuarantineState = QuarantineState.Superseded;
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

    /// <summary>The submission's clinical CSVs (one per node: a new one replaced the earlier), read again from the store.</summary>
    private async Task<List<ClinicalCsvResult>> ClinicalAsync(List<ReceivedFile> files, CancellationToken cancellationToken)
    {
        var results = new List<ClinicalCsvResult>();
        foreach (var file in files.Where(f => f.Kind == ReceivedFileKind.Clinical))
        {
            var node = ClinicalDictionary.Nodes.Single(n => n.Name == file.ClinicalNode).Node;
            results.Add(await intake.ReadClinicalAsync(file.Sha256, file.Name, node, cancellationToken));
        }
        return results;
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
