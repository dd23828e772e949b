using System.Text.Json;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;
using Midrc.Curation.Workers;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Storage;

namespace Midrc.Orchestrator.Submissions;

/// <summary>What a site asks for when it starts a submission. <c>StartedAt</c> null means now (the demo seeds older ones).</summary>
public sealed record NewSubmission(
    SubmissionChannel Channel,
    string SubmittedBy,
    Guid? SolicitationId = null,
    int? DeclaredFiles = null,
    int? DeclaredStudies = null,
    DateTimeOffset? StartedAt = null);

/// <summary>Bytes durably in the quarantine store, with the name the site sent them under.</summary>
public sealed record ReceivedObject(StoredBytes Stored, string Name)
{
    public string Sha256 => Stored.Sha256;

    public long SizeBytes => Stored.SizeBytes;
}

/// <summary>
/// What became of one received file. <c>AlreadyReceived</c>: this submission already held the same bytes (a resumed or
/// repeated upload). <c>Problem</c>: why the file could not be read as DICOM; null when it could.
/// </summary>
public sealed record FileOutcome(
    string Name,
    string Sha256,
    long SizeBytes,
    bool Readable,
    bool AlreadyReceived,
    string? SopClassUid,
    string? SopInstanceUid,
    string? StudyInstanceUid,
    string? Problem,
    IReadOnlyList<Finding> Findings);

/// <summary>
/// The one way into the center for every channel (command line, browser, STOW-RS, the demo): bytes are streamed into
/// the quarantine store with per-file and per-submission limits, parsed in worker processes, and remembered per
/// submission. Nothing is indexed or checked across files until the site completes the submission
/// (<see cref="CompleteAsync"/>); <see cref="SubmissionIndexer"/> does that in a background job.
/// </summary>
public sealed class SubmissionIntake(
    MidrcDbContext db,
    IQuarantineStore store,
    CurationWorkerPool workers,
    AuditTrail audit,
    IBackgroundJobClient jobs,
    SubmissionVolumes volumes,
    IntakeCommits commits,
    IOptions<IntakeOptions> options,
    TimeProvider clock)
{
    private const int MaxNameLength = 1024;
    private const int MaxHashesPerQuery = 100_000;

    /// <summary>Starts a submission for the site, checking the data request it answers.</summary>
    public async Task<Submission> OpenAsync(Site site, NewSubmission request, CancellationToken cancellationToken)
    {
        if (request.DeclaredFiles is < 0 || request.DeclaredStudies is < 0)
        {
            throw IntakeException.Invalid("declaredFiles and declaredStudies cannot be negative; leave them out when you do not know them.");
        }
        if (request.SolicitationId is { } solicitationId)
        {
            var solicitation = await db.Solicitations.AsNoTracking().SingleOrDefaultAsync(s => s.Id == solicitationId, cancellationToken)
                ?? throw IntakeException.NotFound("data request");
            if (solicitation.SiteId != site.Id)
            {
                throw new IntakeException(StatusCodes.Status403Forbidden, "Not your site's data request",
                    $"Data request {solicitationId} was sent to another site, so {site.Code} cannot submit to it. Use the id of a data request addressed to {site.Code}, or leave solicitationId out.");
            }
            if (solicitation.Status is SolicitationStatus.Draft or SolicitationStatus.Closed or SolicitationStatus.Fulfilled)
            {
                throw IntakeException.Conflict(
                    $"Data request '{solicitation.Title}' is {solicitation.Status.ToString().ToLowerInvariant()} and takes no more submissions. Ask your program manager whether to send to another request.");
            }
        }
        var submission = new Submission
        {
            SiteId = site.Id,
            SolicitationId = request.SolicitationId,
            Channel = request.Channel,
            Status = SubmissionStatus.Receiving,
            DeclaredFiles = request.DeclaredFiles,
            DeclaredStudies = request.DeclaredStudies,
            StartedAt = request.StartedAt ?? clock.GetUtcNow(),
            SubmittedBy = request.SubmittedBy,
        };
        db.Submissions.Add(submission);
        audit.Record(request.SubmittedBy, "submission.started", nameof(Submission), submission.Id.ToString(), site.Id, new { Channel = request.Channel.ToString() });
        await db.SaveChangesAsync(cancellationToken);
        return submission;
    }

    /// <summary>The site's own submission; another site's is reported as not found, so ids reveal nothing.</summary>
    public async Task<Submission> FindAsync(Site site, Guid submissionId, CancellationToken cancellationToken) =>
        await db.Submissions.SingleOrDefaultAsync(s => s.Id == submissionId && s.SiteId == site.Id, cancellationToken)
            ?? throw IntakeException.NotFound("submission");

    /// <summary>Of the given SHA-256 hashes, those this submission does not hold yet (what a resuming client must still send).</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(Submission submission, IReadOnlyCollection<string> sha256s, CancellationToken cancellationToken)
    {
        if (sha256s.Count > MaxHashesPerQuery)
        {
            throw IntakeException.Invalid($"Ask about at most {MaxHashesPerQuery:N0} files at once; split the list.");
        }
        var wanted = sha256s.Select(NormalizeHash).Distinct(StringComparer.Ordinal).ToList();
        var present = await db.ReceivedFiles.Where(f => f.SubmissionId == submission.Id && wanted.Contains(f.Sha256))
            .Select(f => f.Sha256).ToListAsync(cancellationToken);
        return [.. wanted.Except(present, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Streams one file into the quarantine store within the limits. The caller then calls <see cref="AnalyzeAsync"/>
    /// (once for many files, so the workers parse in batches), which records the file in the database. Bytes that do
    /// not hash to <paramref name="expectedSha256"/>, when the sender gave one, are not stored: a 422 says so.
    /// </summary>
    public async Task<ReceivedObject> StoreAsync(Submission submission, Stream content, string name, CancellationToken cancellationToken, string? expectedSha256 = null)
    {
        EnsureReceiving(submission);
        name = NormalizeName(name);
        var limits = options.Value;
        var used = await volumes.UsedAsync(submission.Id,
            ct => db.ReceivedFiles.Where(f => f.SubmissionId == submission.Id).SumAsync(f => f.SizeBytes, ct), cancellationToken);
        var room = limits.MaxSubmissionBytes - used;
        if (room <= 0)
        {
            throw IntakeException.TooLarge(SubmissionFull(limits));
        }
        var budget = Math.Min(limits.MaxFileBytes, room);
        var limited = new LimitedStream(content, budget, _ => budget == limits.MaxFileBytes
            ? $"'{name}' is larger than the limit of {Megabytes(limits.MaxFileBytes)} per file. Check that it is one DICOM file; split archives into smaller ones."
            : SubmissionFull(limits));
        StoredBytes stored;
        try
        {
            stored = await store.PutAsync(limited, cancellationToken, expectedSha256);
        }
        catch (DigestMismatchException e)
        {
            throw new IntakeException(StatusCodes.Status422UnprocessableEntity, "Checksum mismatch",
                $"The file changed or was damaged in transit: the bytes received for '{name}' have SHA-256 {e.Received}, not {e.Expected} as sent with it. Send it again; if this repeats, make sure nothing writes to the file while it is sent.");
        }
        if (stored.SizeBytes == 0)
        {
            throw IntakeException.Invalid($"'{name}' is empty (0 bytes). Check that the file was exported completely, then send it again.");
        }
        return new ReceivedObject(stored, name);
    }

    /// <summary>
    /// Parses stored files in the worker processes and remembers them in the submission. A file the submission already
    /// holds is not parsed again. Files are kept when <paramref name="keep"/> says so: the upload API keeps unreadable
    /// files (they become <c>parse.</c> findings); STOW-RS keeps only what it reports as stored.
    /// </summary>
    public async Task<IReadOnlyList<FileOutcome>> AnalyzeAsync(Submission submission, IReadOnlyList<ReceivedObject> objects, Func<FileOutcome, bool> keep, CancellationToken cancellationToken)
    {
        EnsureReceiving(submission);
        var hashes = objects.Select(o => o.Sha256).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.ReceivedFiles.AsNoTracking()
            .Where(f => f.SubmissionId == submission.Id && hashes.Contains(f.Sha256))
            .ToDictionaryAsync(f => f.Sha256, StringComparer.Ordinal, cancellationToken);
        var analyses = new Dictionary<string, FileAnalysis>(StringComparer.Ordinal);
        await foreach (var analysis in workers.AnalyzeAsync(hashes.Where(h => !known.ContainsKey(h)).Select(store.PathOf), cancellationToken))
        {
            analyses[analysis.Path] = analysis;
        }
        var now = clock.GetUtcNow();
        var added = new List<ReceivedFile>();
        var outcomes = new List<FileOutcome>();
        foreach (var received in objects)
        {
            if (known.TryGetValue(received.Sha256, out var earlier))
            {
                outcomes.Add(Outcome(earlier, alreadyReceived: true));
                continue;
            }
            var analysis = analyses[store.PathOf(received.Sha256)];
            var row = new ReceivedFile
            {
                SubmissionId = submission.Id,
                Sha256 = received.Sha256,
                Name = received.Name,
                SizeBytes = received.SizeBytes,
                Kind = ReceivedFileKind.Dicom,
                Readable = analysis.Readable,
                SopClassUid = analysis.Index.SopClassUid ?? "",
                SopInstanceUid = analysis.Index.SopInstanceUid ?? "",
                // The workers read the stored copy, named by its hash; the coordinator knows the file by the name it was sent with.
                Analysis = Serialize(new ReceivedAnalysis(analysis.Index,
                    [.. analysis.Findings.Select(f => f with { File = received.Name, Message = f.Message.Replace(received.Sha256, received.Name, StringComparison.Ordinal) })])),
                ReceivedAt = now,
                Round = UploadRound(submission),
            };
            var outcome = Outcome(row, alreadyReceived: false);
            outcomes.Add(outcome);
            if (keep(outcome))
            {
                known[received.Sha256] = row;
                added.Add(row);
            }
        }
        await SaveReceivedAsync(submission, objects, added, cancellationToken);
        return outcomes;
    }

    /// <summary>
    /// Receives one node's clinical CSV: stored like any file, then read from the store with the CSV limits. A new file
    /// for a node replaces the one sent before in the same submission (that is how a coordinator corrects rows).
    /// </summary>
    public async Task<ClinicalCsvResult> ReceiveClinicalAsync(Submission submission, ClinicalNode node, Stream content, string fileName, CancellationToken cancellationToken)
    {
        var received = await StoreAsync(submission, content, fileName, cancellationToken);
        var result = await ReadClinicalAsync(received.Sha256, received.Name, node, cancellationToken);
        var nodeName = ClinicalDictionary.Get(node).Name;
        var replaced = await db.ReceivedFiles
            .Where(f => f.SubmissionId == submission.Id && (f.Sha256 == received.Sha256 || (f.Kind == ReceivedFileKind.Clinical && f.ClinicalNode == nodeName)))
            .ToListAsync(cancellationToken);
        db.ReceivedFiles.RemoveRange(replaced);
        db.ReceivedFiles.Add(new ReceivedFile
        {
            SubmissionId = submission.Id,
            Sha256 = received.Sha256,
            Name = received.Name,
            SizeBytes = received.SizeBytes,
            Kind = ReceivedFileKind.Clinical,
            ClinicalNode = nodeName,
            Readable = result.Accepted,
            Analysis = Serialize(new ReceivedAnalysis(new(), result.Findings)),
            ReceivedAt = clock.GetUtcNow(),
            Round = UploadRound(submission),
        });
        using (await commits.TurnAsync(cancellationToken))
        {
            await IntakeCommits.AddMissingStoredObjectsAsync(db, [received.Stored], clock.GetUtcNow(), cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        volumes.Add(submission.Id, received.SizeBytes - replaced.Sum(f => f.SizeBytes));
        return result;
    }

    /// <summary>Keeps every file, readable or not.</summary>
    public static bool KeepAll(FileOutcome outcome) => true;

    /// <summary>Forgets a submission that received nothing (a STOW-RS request whose every instance failed).</summary>
    public async Task AbandonIfEmptyAsync(Submission submission, CancellationToken cancellationToken)
    {
        if (submission.Status == SubmissionStatus.Receiving && !await db.ReceivedFiles.AnyAsync(f => f.SubmissionId == submission.Id, cancellationToken))
        {
            db.Submissions.Remove(submission);
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Reads a stored clinical CSV (also used when the submission is indexed).</summary>
    public async Task<ClinicalCsvResult> ReadClinicalAsync(string sha256, string name, ClinicalNode node, CancellationToken cancellationToken)
    {
        await using var csv = store.OpenRead(sha256);
        return await new ClinicalCsvReader().ReadAsync(csv, name, node, cancellationToken);
    }

    /// <summary>
    /// The site says the submission (or, in the fix loop, its round of corrected files) is complete: a background job
    /// indexes and checks it. Completing twice is harmless: a double click or a retry, even at the same moment, gets the
    /// answer of the first call while the completed round waits for its job.
    /// </summary>
    public async Task CompleteAsync(Submission submission, string actor, CancellationToken cancellationToken)
    {
        if (await AlreadyCompletedAsync(submission, cancellationToken))
        {
            return;
        }
        var round = UploadRound(submission);
        if (!await HasFilesAsync(submission, round, cancellationToken))
        {
            if (submission.Status == SubmissionStatus.AwaitingFixes)
            {
                throw IntakeException.Conflict("No corrected file or clinical CSV has been sent since the last check, so there is nothing new to check. Upload the corrected files first, then complete.");
            }
            throw IntakeException.Conflict("This submission holds no files yet, so it cannot be completed. Upload the files first, then complete it.");
        }
        if (submission.Status == SubmissionStatus.Receiving)
        {
            submission.Status = SubmissionStatus.Analyzing;
        }
        submission.Round = round;
        var completed = audit.Record(actor, round == 1 ? "submission.completed" : "submission.resubmitted", nameof(Submission), submission.Id.ToString(), submission.SiteId, new { round });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another call completed it at the same moment (a double click): its completion is this one's answer.
            db.Entry(completed).State = EntityState.Detached;
            await db.Entry(submission).ReloadAsync(cancellationToken);
            if (await AlreadyCompletedAsync(submission, cancellationToken))
            {
                return;
            }
            throw;
        }
        jobs.Enqueue<SubmissionIndexer>(indexer => indexer.IndexAsync(submission.Id, CancellationToken.None));
    }

    /// <summary>
    /// Nothing is left to complete: the submission is past receiving and not awaiting fixes, or a completed round of
    /// corrections waits for its job (the workflow leaves the fix loop only once the job reports it) and nothing was
    /// sent since. Files sent after that completion make a new round, which completing again does complete.
    /// </summary>
    private async Task<bool> AlreadyCompletedAsync(Submission submission, CancellationToken cancellationToken) =>
        submission.Status switch
        {
            SubmissionStatus.Receiving => false,
            SubmissionStatus.AwaitingFixes => submission.IndexedRound < submission.Round
                && !await HasFilesAsync(submission, UploadRound(submission), cancellationToken),
            _ => true,
        };

    private Task<bool> HasFilesAsync(Submission submission, int round, CancellationToken cancellationToken) =>
        db.ReceivedFiles.AnyAsync(f => f.SubmissionId == submission.Id && f.Round == round, cancellationToken);

    /// <summary>The hash as the store spells it; a malformed one is a 400 naming it.</summary>
    public static string NormalizeHash(string sha256)
    {
        var hash = sha256.Trim().ToLowerInvariant();
        return hash.Length == 64 && hash.All(char.IsAsciiHexDigitLower)
            ? hash
            : throw IntakeException.Invalid($"'{Shorten(sha256)}' is not a SHA-256 checksum (64 hexadecimal digits).");
    }

    internal static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.##} MB";

    internal static string Serialize(ReceivedAnalysis analysis) => JsonSerializer.Serialize(analysis);

    internal static ReceivedAnalysis Deserialize(string analysis) =>
        JsonSerializer.Deserialize<ReceivedAnalysis>(analysis) ?? new ReceivedAnalysis(new(), []);

    private static FileOutcome Outcome(ReceivedFile file, bool alreadyReceived)
    {
        var analysis = Deserialize(file.Analysis);
        return new FileOutcome(file.Name, file.Sha256, file.SizeBytes, file.Readable, alreadyReceived,
            NullIfEmpty(file.SopClassUid), NullIfEmpty(file.SopInstanceUid), analysis.Index.StudyInstanceUid,
            file.Readable ? null : analysis.Findings.FirstOrDefault(f => f.Rule.StartsWith("parse.", StringComparison.Ordinal))?.Message,
            analysis.Findings);
    }

    /// <summary>
    /// Records the kept files and the stored objects they refer to in one transaction, together with other uploads of
    /// the moment (<see cref="IntakeCommits"/>). The bytes were made durable by the store before, so a crash leaves
    /// either nothing (the upload resumes) or the whole request recorded.
    /// </summary>
    private async Task SaveReceivedAsync(Submission submission, IReadOnlyList<ReceivedObject> objects, List<ReceivedFile> added, CancellationToken cancellationToken)
    {
        if (added.Count == 0)
        {
            return;
        }
        var kept = added.Select(f => f.Sha256).ToHashSet(StringComparer.Ordinal);
        try
        {
            await commits.CommitAsync(added, [.. objects.Where(o => kept.Contains(o.Sha256)).Select(o => o.Stored)], cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw IntakeException.Conflict("The same file arrived twice at the same moment in this submission. Send it again; the copy already received is kept.");
        }
        volumes.Add(submission.Id, added.Sum(f => f.SizeBytes));
    }

    /// <summary>A submission takes files while it is first sent, and corrected files while the site is asked for fixes.</summary>
    private static void EnsureReceiving(Submission submission)
    {
        if (submission.Status is not (SubmissionStatus.Receiving or SubmissionStatus.AwaitingFixes))
        {
            throw IntakeException.Conflict(
                "This submission was completed and takes no files now: it takes corrected files only while it awaits fixes. Start a new submission for files you forgot.");
        }
    }

    /// <summary>The round files sent now belong to: the first while receiving, the next while fixes are awaited.</summary>
    private static int UploadRound(Submission submission) =>
        submission.Status == SubmissionStatus.AwaitingFixes ? submission.Round + 1 : submission.Round;

    private static string SubmissionFull(IntakeOptions limits) =>
        $"This submission has reached its limit of {Megabytes(limits.MaxSubmissionBytes)}. Complete it and send the remaining files in a new submission.";

    private static string NormalizeName(string name)
    {
        var clean = new string([.. name.Replace('\\', '/').Where(c => !char.IsControl(c))]).Trim();
        return clean.Length == 0 ? "(unnamed)" : clean.Length > MaxNameLength ? clean[^MaxNameLength..] : clean;
    }

    private static string Shorten(string text) => text.Length > 80 ? text[..80] + "…" : text;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
