using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Curation.Findings;
using Midrc.Curation.Workers;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Releases;

/// <summary>
/// Builds a release package, one resumable step at a time: collect the items (one transaction), stage the objects and
/// metadata in <c>releases/.staging/N</c>, verify every staged object again (SHA-256 and de-identification, in worker
/// processes), and publish by renaming the staging folder to <c>releases/N</c>. Every step can run twice and a crash
/// anywhere leaves nothing a rerun does not finish or redo; nothing in the package depends on when it was built.
/// </summary>
public sealed class ReleaseBuilder(
    MidrcDbContext db,
    IQuarantineStore store,
    CurationWorkerPool workers,
    ReleaseLeases leases,
    ReleaseFaults faults,
    IOptions<ReleaseOptions> options,
    IOptions<MidrcOptions> midrc)
{
    /// <summary>The package parts: what everyone gets, and the held-back cases.</summary>
    public const string OpenPart = "open";
    public const string SequesteredPart = "sequestered";

    private const string ManifestName = "manifest.tsv";
    private const int FailuresReported = 10;

    private ReleaseOptions Options => options.Value;

    /// <summary>Where published releases live.</summary>
    public string ReleasesFolder => Path.Combine(midrc.Value.DataFolderPath, "releases");

    /// <summary>The folder of release <paramref name="number"/> once published.</summary>
    public string PublishedFolder(int number) => Path.Combine(ReleasesFolder, number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Where release <paramref name="number"/> is built before it is published.</summary>
    public string StagingFolder(int number) => Path.Combine(ReleasesFolder, ".staging", number.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Instances a release of <paramref name="programId"/> may take now: verified, passed de-identification, never published, not excluded from <paramref name="releaseId"/>, not withdrawn.</summary>
    public IQueryable<Instance> Candidates(Guid programId, Guid releaseId) =>
        db.Instances.Where(i => i.QuarantineState == QuarantineState.Verified
            && i.Series!.Study!.Site!.ProgramId == programId
            && db.DeidentificationReports.Any(r => r.InstanceId == i.Id && r.Outcome == DeidentificationOutcome.Passed)
            && !db.DeidentificationReports.Any(r => r.InstanceId == i.Id && r.Outcome != DeidentificationOutcome.Passed)
            && !db.ReleaseItems.Any(ri => ri.InstanceId == i.Id && ri.ReleaseId != releaseId && ri.Release!.State == ReleaseState.Published)
            && !db.ReleaseExclusions.Any(x => x.ReleaseId == releaseId && x.StudyId == i.Series.StudyId)
            && !db.Withdrawals.Any(w => w.SiteId == i.Series.Study.SiteId && w.CaseId == i.Series.Study.PatientPseudonym));

    /// <summary>
    /// Step 1: fixes the release's items in one transaction: every candidate (added, or corrected when an earlier
    /// release published the same SOP instance), the withdrawals recorded since the last release, and the split.
    /// </summary>
    public async Task CollectAsync(Release release, CancellationToken cancellationToken)
    {
        DeleteFolder(StagingFolder(release.Number));
        var programId = release.ProgramId;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.ReleaseItems.Where(i => i.ReleaseId == release.Id).ExecuteDeleteAsync(cancellationToken);
        await db.Withdrawals.Where(w => w.ReleaseId == release.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.ReleaseId, (Guid?)null), cancellationToken);

        var sequestered = await ChooseSequesteredAsync(release, cancellationToken);
        // Pages through the candidates in Id order (an index range), so each page costs the same however large the release.
        Guid? after = null;
        while (true)
        {
            var page = Candidates(programId, release.Id);
            if (after is { } last)
            {
                page = page.Where(i => i.Id.CompareTo(last) > 0);
            }

            var rows = await page.OrderBy(i => i.Id).Take(Options.BatchSize)
                .Select(i => new
                {
                    i.Id, i.Sha256, i.Stored!.Md5, i.Stored.SizeBytes, i.Series!.Study!.SiteId, SiteCode = i.Series.Study.Site!.Code,
                    CaseId = i.Series.Study.PatientPseudonym, i.Series.Study.StudyInstanceUid, i.Series.SeriesInstanceUid, i.SopInstanceUid, i.Series.Modality,
                })
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                break;
            }

            after = rows[^1].Id;
            var sops = rows.Select(r => r.SopInstanceUid).Distinct().ToList();
            // Found through the instances' SOP Instance UID index: filtering release items by SOP would scan every item
            // collected so far for each batch, which made collection quadratic in the size of the release.
            var corrected = (await db.Instances.Where(i => sops.Contains(i.SopInstanceUid))
                .Join(db.ReleaseItems.Where(ri => ri.Release!.ProgramId == programId && ri.Release.State == ReleaseState.Published), i => i.Id, ri => ri.InstanceId, (i, ri) => new { ri.SiteId, ri.SopInstanceUid })
                .ToListAsync(cancellationToken))
                .Select(ri => (ri.SiteId, ri.SopInstanceUid)).ToHashSet();
            db.ReleaseItems.AddRange(rows.Select(r => new ReleaseItem
            {
                ReleaseId = release.Id,
                InstanceId = r.Id,
                Sha256 = r.Sha256,
                Md5 = r.Md5,
                SizeBytes = r.SizeBytes,
                Change = corrected.Contains((r.SiteId, r.SopInstanceUid)) ? ReleaseChange.Corrected : ReleaseChange.Added,
                Sequestered = sequestered.Contains((r.SiteId, r.CaseId)),
                SiteId = r.SiteId,
                SiteCode = r.SiteCode,
                CaseId = r.CaseId,
                StudyInstanceUid = r.StudyInstanceUid,
                SeriesInstanceUid = r.SeriesInstanceUid,
                SopInstanceUid = r.SopInstanceUid,
                Modality = r.Modality,
                ObjectPath = ReleasePackage.ObjectPath(r.SiteCode, r.CaseId, r.StudyInstanceUid, r.SeriesInstanceUid, r.SopInstanceUid),
            }));
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        await WithdrawAsync(release, cancellationToken);
        await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.BuildStep, ReleaseBuildStep.Collected).SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        release.BuildStep = ReleaseBuildStep.Collected;
    }

    /// <summary>Withdrawals recorded since the last release take effect here: each released object of the case is listed as withdrawn.</summary>
    private async Task WithdrawAsync(Release release, CancellationToken cancellationToken)
    {
        var pending = await db.Withdrawals.Where(w => w.ReleaseId == null && w.Site!.ProgramId == release.ProgramId).ToListAsync(cancellationToken);
        foreach (var withdrawal in pending)
        {
            withdrawal.ReleaseId = release.Id;
            var released = await db.ReleaseItems.AsNoTracking()
                .Where(i => i.SiteId == withdrawal.SiteId && i.CaseId == withdrawal.CaseId && i.Change != ReleaseChange.Withdrawn && i.Release!.State == ReleaseState.Published)
                .ToListAsync(cancellationToken);
            db.ReleaseItems.AddRange(released.Select(i => new ReleaseItem
            {
                ReleaseId = release.Id,
                InstanceId = i.InstanceId,
                Sha256 = i.Sha256,
                Md5 = i.Md5,
                SizeBytes = i.SizeBytes,
                Change = ReleaseChange.Withdrawn,
                Sequestered = i.Sequestered,
                SiteId = i.SiteId,
                SiteCode = i.SiteCode,
                CaseId = i.CaseId,
                StudyInstanceUid = i.StudyInstanceUid,
                SeriesInstanceUid = i.SeriesInstanceUid,
                SopInstanceUid = i.SopInstanceUid,
                Modality = i.Modality,
                ObjectPath = i.ObjectPath,
            }));
        }

        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }

    /// <summary>Cases released before keep their part; new ones are split by stratum.</summary>
    private async Task<IReadOnlySet<(Guid SiteId, string CaseId)>> ChooseSequesteredAsync(Release release, CancellationToken cancellationToken)
    {
        var cases = (await Candidates(release.ProgramId, release.Id)
                .Select(i => new { i.Series!.Study!.SiteId, SiteCode = i.Series.Study.Site!.Code, CaseId = i.Series.Study.PatientPseudonym, i.Series.Modality })
                .Distinct().ToListAsync(cancellationToken))
            .GroupBy(c => (c.SiteId, c.SiteCode, c.CaseId))
            .Select(g => (g.Key, Modalities: string.Join('+', g.Select(c => c.Modality).Distinct().Order(StringComparer.Ordinal))))
            .ToList();
        var earlier = (await db.ReleaseItems.Where(i => i.Release!.ProgramId == release.ProgramId && i.ReleaseId != release.Id)
                .Select(i => new { i.SiteId, i.CaseId, i.Sequestered }).Distinct().ToListAsync(cancellationToken))
            .ToDictionary(i => (i.SiteId, i.CaseId), i => i.Sequestered);
        var demographics = await ReleasePackage.DemographicsAsync(db, release.ProgramId, cancellationToken);
        var fresh = cases.Where(c => !earlier.ContainsKey((c.Key.SiteId, c.Key.CaseId))).Select(c =>
        {
            var who = demographics.GetValueOrDefault((c.Key.SiteId, c.Key.CaseId));
            return new SplitCase(c.Key.SiteId, c.Key.CaseId, $"{c.Key.SiteCode}|{who?.Sex ?? "unknown"}|{who?.AgeBand ?? "unknown"}|{c.Modalities}");
        });
        var chosen = SequesteredSplit.Choose(fresh, Options.SequesteredFraction, Options.SequesterSeed).ToHashSet();
        chosen.UnionWith(earlier.Where(e => e.Value).Select(e => e.Key));
        return chosen;
    }

    /// <summary>Step 2: copies every object from quarantine into its place in the staging folder and writes the metadata.</summary>
    public async Task StageAsync(Release release, CancellationToken cancellationToken)
    {
        var staging = StagingFolder(release.Number);
        var first = true;
        await foreach (var batch in PackagedItemsAsync(release.Id, cancellationToken))
        {
            if (!first)
            {
                faults.Reached("copying");
            }

            first = false;
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, (item, _) =>
            {
                var target = Path.Combine(staging, PartOf(item), item.ObjectPath);
                if (!File.Exists(target))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    // Copy then rename: a file at its final path is always complete, so a rerun may skip it.
                    var partial = target + ".partial";
                    File.Copy(store.PathOf(item.Sha256), partial, overwrite: true);
                    File.Move(partial, target, overwrite: true);
                }

                return ValueTask.CompletedTask;
            });
            await leases.RenewAsync(release.ProgramId, cancellationToken);
        }

        var package = new ReleasePackage(db, release, staging, Options.BatchSize);
        await package.WriteMetadataAsync(cancellationToken);
        await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.BuildStep, ReleaseBuildStep.Staged).SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
        release.BuildStep = ReleaseBuildStep.Staged;
    }

    /// <summary>
    /// Step 3: re-reads every staged object in the worker processes (the same checks as intake): its SHA-256 and size
    /// must be what was accepted, and its de-identification must pass again. Writes each part's manifest and records
    /// the result: null when everything passed, else the reason.
    /// </summary>
    public async Task<string?> VerifyAsync(Release release, CancellationToken cancellationToken)
    {
        var staging = StagingFolder(release.Number);
        var manifests = new Dictionary<string, ManifestWriter>();
        var failures = new List<string>();
        var failed = 0;
        long checkedObjects = 0;
        try
        {
            foreach (var part in new[] { OpenPart, SequesteredPart }.Where(p => Directory.Exists(Path.Combine(staging, p))))
            {
                manifests[part] = await ManifestWriter.StartAsync(Path.Combine(staging, part), cancellationToken);
            }

            await foreach (var batch in PackagedItemsAsync(release.Id, cancellationToken))
            {
                if (checkedObjects > 0)
                {
                    faults.Reached("verifying");
                }

                var byPath = batch.ToDictionary(i => Path.Combine(staging, PartOf(i), i.ObjectPath));
                // The bytes are hashed here while the workers parse them (the workers do not hash).
                var hashing = Task.Run(() => byPath.Keys.ToDictionary(p => p, Sha256OrNull), cancellationToken);
                var results = new Dictionary<string, FileAnalysis>();
                await foreach (var analysis in workers.AnalyzeAsync(byPath.Keys, cancellationToken))
                {
                    results[analysis.Path] = analysis;
                }

                var stagedHashes = await hashing;
                foreach (var (path, item) in byPath)
                {
                    if (Problem(item, results.GetValueOrDefault(path), stagedHashes[path]) is { } problem)
                    {
                        failed++;
                        if (failures.Count < FailuresReported)
                        {
                            failures.Add($"{item.ObjectPath}: {problem}");
                        }
                    }

                    await manifests[PartOf(item)].AddAsync(item.ObjectPath, item.SizeBytes, item.Md5, item.Sha256);
                }

                checkedObjects += batch.Count;
                await leases.RenewAsync(release.ProgramId, cancellationToken);
            }

            var hashes = new Dictionary<string, string>();
            foreach (var (part, manifest) in manifests)
            {
                hashes[part] = await manifest.FinishAsync(cancellationToken);
            }

            var reason = checkedObjects == 0 ? "The release has no objects: nothing was accepted since the previous release."
                : failed > 0 ? $"{failed} of {checkedObjects} objects failed verification; first: {string.Join("; ", failures)}"
                : null;
            await db.Releases.Where(r => r.Id == release.Id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.BuildStep, ReleaseBuildStep.Verified)
                .SetProperty(r => r.FailureReason, reason)
                .SetProperty(r => r.ManifestSha256, hashes.GetValueOrDefault(OpenPart))
                .SetProperty(r => r.SequesteredManifestSha256, hashes.GetValueOrDefault(SequesteredPart))
                .SetProperty(r => r.Version, r => r.Version + 1), cancellationToken);
            release.BuildStep = ReleaseBuildStep.Verified;
            release.FailureReason = reason;
            release.ManifestSha256 = hashes.GetValueOrDefault(OpenPart);
            return reason;
        }
        finally
        {
            foreach (var manifest in manifests.Values)
            {
                await manifest.DisposeAsync();
            }
        }
    }

    private static string? Problem(ReleaseItem item, FileAnalysis? analysis, string? sha256)
    {
        if (analysis is null || !analysis.Readable || sha256 is null)
        {
            return $"could not be read again ({analysis?.UnreadableReason ?? "no result"})";
        }

        if (sha256 != item.Sha256 || analysis.SizeBytes != item.SizeBytes)
        {
            return $"its bytes changed since it was accepted (SHA-256 {sha256}, accepted as {item.Sha256})";
        }

        return analysis.Findings.FirstOrDefault(f => f.Severity == Severity.Error && (f.Rule.StartsWith("deid.", StringComparison.Ordinal) || f.Rule.StartsWith("parse.", StringComparison.Ordinal))) is { } finding
            ? $"failed de-identification again ({finding.Rule}: {finding.Message})"
            : null;
    }

    /// <summary>The staged file's SHA-256 in lower-case hexadecimal; null when it cannot be read.</summary>
    private static string? Sha256OrNull(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Step 4: renames the staging folder into place (atomic on one file system), then checks that the published
    /// manifest is the one verified. The published folder is never written again.
    /// </summary>
    public void Publish(Release release)
    {
        var published = PublishedFolder(release.Number);
        if (!Directory.Exists(published))
        {
            Directory.Move(StagingFolder(release.Number), published);
        }

        faults.Reached("renamed");
        if (!IsIntact(release))
        {
            throw new InvalidOperationException($"Release {release.Number}'s published manifest does not match the one verified; the folder {published} was changed by something else.");
        }
    }

    /// <summary>True when the published folder's manifests still hash to what the release recorded at verification.</summary>
    public bool IsIntact(Release release)
    {
        var folder = PublishedFolder(release.Number);
        return HashOf(Path.Combine(folder, OpenPart, ManifestName)) == release.ManifestSha256
            && HashOf(Path.Combine(folder, SequesteredPart, ManifestName)) == release.SequesteredManifestSha256;
    }

    /// <summary>The published manifest or notes of a part, or null when there is none.</summary>
    public string? PublishedFile(Release release, string name) =>
        name switch
        {
            "manifest" => Existing(Path.Combine(PublishedFolder(release.Number), OpenPart, ManifestName)),
            "notes" => Existing(Path.Combine(PublishedFolder(release.Number), OpenPart, ReleasePackage.NotesName)),
            _ => null,
        };

    private static string? Existing(string path) => File.Exists(path) ? path : null;

    private static string? HashOf(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string PartOf(ReleaseItem item) => item.Sequestered ? SequesteredPart : OpenPart;

    /// <summary>The packaged (not withdrawn) items in object path order, a batch at a time.</summary>
    private IAsyncEnumerable<List<ReleaseItem>> PackagedItemsAsync(Guid releaseId, CancellationToken cancellationToken) =>
        ReleasePackage.BatchesAsync(db.ReleaseItems.Where(i => i.ReleaseId == releaseId && i.Change != ReleaseChange.Withdrawn), Options.BatchSize, cancellationToken);

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A part's manifest, written to a temporary file while objects are verified and renamed into place at the end.</summary>
    private sealed class ManifestWriter : IAsyncDisposable
    {
        private readonly string _folder;
        private readonly string _partial;
        private readonly StreamWriter _writer;

        private ManifestWriter(string folder)
        {
            _folder = folder;
            _partial = Path.Combine(folder, ManifestName + ".partial");
            _writer = new StreamWriter(_partial, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        }

        /// <summary>Starts a manifest with the part's metadata files (everything but the objects), hashed now.</summary>
        public static async Task<ManifestWriter> StartAsync(string folder, CancellationToken cancellationToken)
        {
            var manifest = new ManifestWriter(folder);
            await manifest._writer.WriteLineAsync("path\tsize\tmd5\tsha256");
            var objects = Path.Combine(folder, ReleasePackage.ObjectsFolder) + Path.DirectorySeparatorChar;
            var metadata = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => !f.StartsWith(objects, StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith(ManifestName, StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Order(StringComparer.Ordinal);
            foreach (var relative in metadata)
            {
                await using var stream = File.OpenRead(Path.Combine(folder, relative));
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    md5.AppendData(buffer, 0, read);
                }

                await manifest.AddAsync(relative, stream.Length, Convert.ToHexStringLower(md5.GetHashAndReset()), Convert.ToHexStringLower(sha.GetHashAndReset()));
            }

            return manifest;
        }

        public Task AddAsync(string path, long size, string md5, string sha256) => _writer.WriteLineAsync($"{path}\t{size}\t{md5}\t{sha256}");

        /// <summary>Closes the manifest, renames it into place and returns its SHA-256.</summary>
        public async Task<string> FinishAsync(CancellationToken cancellationToken)
        {
            await _writer.FlushAsync(cancellationToken);
            _writer.Close();
            var target = Path.Combine(_folder, ManifestName);
            File.Move(_partial, target, overwrite: true);
            return HashOf(target)!;
        }

        public ValueTask DisposeAsync() => _writer.DisposeAsync();
    }
}
