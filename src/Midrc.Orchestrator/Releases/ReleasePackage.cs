using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Clinical;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Releases;

/// <summary>What the release notes and the split know of a case from its clinical row.</summary>
public sealed record CaseDemographics(Guid ClinicalCaseId, string Sex, string AgeBand);

/// <summary>
/// The metadata of a staged release, shaped as a Gen3 data commons ingests it: one TSV per node (<c>case</c>,
/// <c>imaging_study</c>, <c>imaging_series</c>, <c>{modality}_series_file</c> with object id, MD5 and size,
/// <c>visit</c>, <c>procedure</c>, <c>measurement</c>) with day offsets only, the changes since the previous release,
/// and the release notes. Rows are sorted and hold no build time, so a rebuild writes the same bytes.
/// </summary>
public sealed class ReleasePackage(MidrcDbContext db, Release release, string stagingFolder, int batchSize)
{
    public const string ObjectsFolder = "objects";
    public const string MetadataFolder = "metadata";
    public const string NotesName = "RELEASE_NOTES.md";
    public const string ChangesName = "changes.tsv";

    /// <summary>An object's stable place in its part: site, case, study, series, SOP instance.</summary>
    public static string ObjectPath(string site, string caseId, string study, string series, string sop) =>
        $"{ObjectsFolder}/{Segment(site)}/{Segment(caseId)}/{Segment(study)}/{Segment(series)}/{Segment(sop)}.dcm";

    /// <summary>A path segment of safe characters only: pseudonyms come from sites and must not climb out of the folder.</summary>
    private static string Segment(string value)
    {
        var safe = new string([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]).Trim('.');
        return safe.Length == 0 ? "_" : safe;
    }

    /// <summary>A stable object id (a UUID) for a data commons' index, derived from the object's bytes and place.</summary>
    public static string ObjectId(string sha256, string objectPath)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"{sha256}/{objectPath}")).AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    /// <summary>Items of <paramref name="query"/> in object path order, <paramref name="size"/> at a time (keyset paging: flat memory).</summary>
    public static async IAsyncEnumerable<List<ReleaseItem>> BatchesAsync(IQueryable<ReleaseItem> query, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = "";
        while (true)
        {
            var last = after;
            var batch = await query.AsNoTracking().Where(i => string.Compare(i.ObjectPath, last) > 0).OrderBy(i => i.ObjectPath).Take(size).ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                yield break;
            }

            yield return batch;
            after = batch[^1].ObjectPath;
        }
    }

    /// <summary>Sex and age band of each case of the program that has a clinical row (the latest row wins).</summary>
    public static async Task<Dictionary<(Guid SiteId, string CaseId), CaseDemographics>> DemographicsAsync(MidrcDbContext db, Guid programId, CancellationToken cancellationToken)
    {
        var rows = await db.ClinicalCases.AsNoTracking().Where(c => c.Site!.ProgramId == programId)
            .Select(c => new { c.Id, c.SiteId, c.CaseId, c.Sex, c.AgeAtIndex, c.AgeOver89 }).ToListAsync(cancellationToken);
        var result = new Dictionary<(Guid, string), CaseDemographics>();
        foreach (var c in rows.OrderBy(c => c.Id))
        {
            result[(c.SiteId, c.CaseId)] = new CaseDemographics(c.Id, c.Sex.Length == 0 ? "unknown" : c.Sex, SequesteredSplit.AgeBand(c.AgeAtIndex, c.AgeOver89));
        }

        return result;
    }

    /// <summary>Writes every part's metadata and the open part's notes.</summary>
    public async Task WriteMetadataAsync(CancellationToken cancellationToken)
    {
        var project = await db.Programs.Where(p => p.Id == release.ProgramId).Select(p => p.Code).SingleAsync(cancellationToken);
        var programName = await db.Programs.Where(p => p.Id == release.ProgramId).Select(p => p.Name).SingleAsync(cancellationToken);
        var demographics = await DemographicsAsync(db, release.ProgramId, cancellationToken);
        var sequesteredCases = 0;
        foreach (var sequestered in new[] { true, false })
        {
            var part = Path.Combine(stagingFolder, sequestered ? ReleaseBuilder.SequesteredPart : ReleaseBuilder.OpenPart);
            var items = db.ReleaseItems.Where(i => i.ReleaseId == release.Id && i.Sequestered == sequestered);
            if (!await items.AnyAsync(cancellationToken))
            {
                continue;
            }

            Directory.CreateDirectory(Path.Combine(part, MetadataFolder));
            var packaged = items.Where(i => i.Change != ReleaseChange.Withdrawn);
            var series = (await packaged.Select(i => new { i.SiteId, i.CaseId, i.StudyInstanceUid, i.SeriesInstanceUid, i.Modality }).Distinct().ToListAsync(cancellationToken))
                .OrderBy(s => s.StudyInstanceUid, StringComparer.Ordinal).ThenBy(s => s.SeriesInstanceUid, StringComparer.Ordinal).ToList();
            var cases = series.Select(s => (s.SiteId, s.CaseId)).Distinct().OrderBy(c => c.CaseId, StringComparer.Ordinal).ThenBy(c => c.SiteId).ToList();
            var clinical = cases.Select(c => demographics.GetValueOrDefault(c)?.ClinicalCaseId).OfType<Guid>().ToList();
            await WriteCasesAsync(part, project, clinical, cancellationToken);
            await WriteStudiesAsync(part, project, series.Select(s => (s.SiteId, s.CaseId, s.StudyInstanceUid, s.Modality)).ToList(), demographics, cancellationToken);
            await WriteTsvAsync(Path.Combine(part, MetadataFolder, "imaging_series.tsv"), ["type", "project_id", "submitter_id", "imaging_studies.submitter_id", "modality"],
                series.Select(s => new[] { "imaging_series", project, s.SeriesInstanceUid, s.StudyInstanceUid, s.Modality }));
            await WriteClinicalAsync(part, project, clinical, cancellationToken);
            await WriteFilesAndChangesAsync(part, project, items, cancellationToken);
            if (sequestered)
            {
                sequesteredCases = cases.Count;
            }
            else
            {
                await WriteNotesAsync(part, programName, series.Select(s => (s.SiteId, s.CaseId, s.StudyInstanceUid, s.Modality)).ToList(), demographics, sequesteredCases, cancellationToken);
            }
        }
    }

    private async Task WriteCasesAsync(string part, string project, List<Guid> clinical, CancellationToken cancellationToken)
    {
        var rows = new List<string[]>();
        foreach (var chunk in clinical.Chunk(1000))
        {
            rows.AddRange((await db.ClinicalCases.AsNoTracking().Where(c => chunk.Contains(c.Id)).ToListAsync(cancellationToken)).Select(c => new[]
            {
                "case", project, c.CaseId, c.AgeOver89 ? "" : Number(c.AgeAtIndex), c.AgeOver89 ? "Yes" : "No", c.Sex, c.Race, c.Ethnicity, c.Zip3,
                c.Covid19Positive, c.IcuIndicator, c.VentilatorIndicator,
            }));
        }

        await WriteTsvAsync(Path.Combine(part, MetadataFolder, "case.tsv"),
            ["type", "project_id", "submitter_id", "age_at_index", "age_at_index_gteq89", "sex", "race", "ethnicity", "zip", "covid19_positive", "icu_indicator", "ventilator_indicator"],
            rows.OrderBy(r => r[2], StringComparer.Ordinal));
    }

    private async Task WriteStudiesAsync(string part, string project, List<(Guid SiteId, string CaseId, string Study, string Modality)> series, Dictionary<(Guid, string), CaseDemographics> demographics, CancellationToken cancellationToken)
    {
        var clinicalIds = series.Select(s => demographics.GetValueOrDefault((s.SiteId, s.CaseId))?.ClinicalCaseId).OfType<Guid>().Distinct().ToList();
        var clinicalStudies = new Dictionary<string, ClinicalImagingStudy>(StringComparer.Ordinal);
        foreach (var chunk in clinicalIds.Chunk(1000))
        {
            foreach (var s in await db.ClinicalImagingStudies.AsNoTracking().Where(s => chunk.Contains(s.CaseId)).ToListAsync(cancellationToken))
            {
                clinicalStudies[s.StudyInstanceUid] = s;
            }
        }

        var rows = series.GroupBy(s => (s.CaseId, s.Study)).OrderBy(g => g.Key.Study, StringComparer.Ordinal).Select(g =>
        {
            var known = clinicalStudies.GetValueOrDefault(g.Key.Study);
            return new[] { "imaging_study", project, g.Key.Study, g.Key.CaseId, Number(known?.DaysToStudy), known?.StudyDescription ?? "", string.Join(',', g.Select(s => s.Modality).Distinct().Order(StringComparer.Ordinal)) };
        });
        await WriteTsvAsync(Path.Combine(part, MetadataFolder, "imaging_study.tsv"),
            ["type", "project_id", "submitter_id", "cases.submitter_id", "days_to_study", "study_description", "study_modality"], rows);
    }

    private async Task WriteClinicalAsync(string part, string project, List<Guid> clinical, CancellationToken cancellationToken)
    {
        var caseIds = new Dictionary<Guid, string>();
        var visits = new List<string[]>();
        var procedures = new List<string[]>();
        var measurements = new List<string[]>();
        foreach (var chunk in clinical.Chunk(1000))
        {
            foreach (var c in await db.ClinicalCases.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Id, c.CaseId }).ToListAsync(cancellationToken))
            {
                caseIds[c.Id] = c.CaseId;
            }

            visits.AddRange((await db.ClinicalVisits.AsNoTracking().Where(v => chunk.Contains(v.CaseId)).ToListAsync(cancellationToken)).Select(v => new[]
            {
                "visit", project, v.VisitId, caseIds[v.CaseId], Number(v.DaysToHospitalAdmission), Number(v.DaysToHospitalDischarge), Number(v.DaysToIcuAdmission), Number(v.DaysToIcuDischarge), v.DischargeType,
            }));
            procedures.AddRange((await db.ClinicalProcedures.AsNoTracking().Where(p => chunk.Contains(p.CaseId)).ToListAsync(cancellationToken)).Select(p => new[]
            {
                "procedure", project, p.ProcedureId, caseIds[p.CaseId], p.BreathingSupportType, Number(p.DaysToStart), Number(p.DaysToEnd),
            }));
            measurements.AddRange((await db.ClinicalMeasurements.AsNoTracking().Where(m => chunk.Contains(m.CaseId)).ToListAsync(cancellationToken)).Select(m => new[]
            {
                "measurement", project, m.MeasurementId, caseIds[m.CaseId], m.TestType, m.TestResult, Number(m.DaysToTest),
            }));
        }

        static IEnumerable<string[]> Sorted(List<string[]> rows) => rows.OrderBy(r => r[3], StringComparer.Ordinal).ThenBy(r => r[2], StringComparer.Ordinal);
        await WriteTsvAsync(Path.Combine(part, MetadataFolder, "visit.tsv"),
            ["type", "project_id", "submitter_id", "cases.submitter_id", "days_to_hospital_admission", "days_to_hospital_discharge", "days_to_icu_admission", "days_to_icu_discharge", "discharge_type"], Sorted(visits));
        await WriteTsvAsync(Path.Combine(part, MetadataFolder, "procedure.tsv"),
            ["type", "project_id", "submitter_id", "cases.submitter_id", "breathing_support_type", "days_to_start", "days_to_end"], Sorted(procedures));
        await WriteTsvAsync(Path.Combine(part, MetadataFolder, "measurement.tsv"),
            ["type", "project_id", "submitter_id", "cases.submitter_id", "test_type", "test_result", "days_to_test"], Sorted(measurements));
    }

    /// <summary>The file node rows (one TSV per modality) and the changes, streamed in object path order.</summary>
    private async Task WriteFilesAndChangesAsync(string part, string project, IQueryable<ReleaseItem> items, CancellationToken cancellationToken)
    {
        var writers = new Dictionary<string, StreamWriter>(StringComparer.Ordinal);
        await using var changes = Open(Path.Combine(part, ChangesName));
        await changes.WriteLineAsync("change\tcases.submitter_id\timaging_studies.submitter_id\timaging_series.submitter_id\tsubmitter_id\tfile_name\tsha256");
        try
        {
            await foreach (var batch in BatchesAsync(items, batchSize, cancellationToken))
            {
                foreach (var i in batch)
                {
                    await changes.WriteLineAsync(Row([i.Change.ToString().ToLowerInvariant(), i.CaseId, i.StudyInstanceUid, i.SeriesInstanceUid, i.SopInstanceUid, i.ObjectPath, i.Sha256]));
                    if (i.Change == ReleaseChange.Withdrawn)
                    {
                        continue;
                    }

                    var node = $"{Segment(i.Modality).ToLowerInvariant()}_series_file";
                    if (!writers.TryGetValue(node, out var writer))
                    {
                        writer = writers[node] = Open(Path.Combine(part, MetadataFolder, node + ".tsv"));
                        await writer.WriteLineAsync("type\tproject_id\tsubmitter_id\tcases.submitter_id\timaging_studies.submitter_id\timaging_series.submitter_id\tfile_name\tfile_size\tmd5sum\tobject_id\tdata_format\tdata_type");
                    }

                    await writer.WriteLineAsync(Row([node, project, i.SopInstanceUid, i.CaseId, i.StudyInstanceUid, i.SeriesInstanceUid, i.ObjectPath,
                        i.SizeBytes.ToString(CultureInfo.InvariantCulture), i.Md5, ObjectId(i.Sha256, i.ObjectPath), "DCM", "DICOM"]));
                }
            }
        }
        finally
        {
            foreach (var writer in writers.Values)
            {
                await writer.DisposeAsync();
            }
        }
    }

    private async Task WriteNotesAsync(string part, string programName, List<(Guid SiteId, string CaseId, string Study, string Modality)> series,
        Dictionary<(Guid, string), CaseDemographics> demographics, int sequesteredCases, CancellationToken cancellationToken)
    {
        var changes = await db.ReleaseItems.Where(i => i.ReleaseId == release.Id).GroupBy(i => i.Change).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var objects = await db.ReleaseItems.CountAsync(i => i.ReleaseId == release.Id && !i.Sequestered && i.Change != ReleaseChange.Withdrawn, cancellationToken);
        var withdrawnCases = await db.Withdrawals.CountAsync(w => w.ReleaseId == release.Id, cancellationToken);
        var sites = await db.Sites.Where(s => s.ProgramId == release.ProgramId).ToDictionaryAsync(s => s.Id, s => s.Code, cancellationToken);
        var studies = series.GroupBy(s => (s.SiteId, s.CaseId, s.Study)).Select(g => new { g.Key.SiteId, g.Key.CaseId, Modalities = g.Select(s => s.Modality).Distinct().ToList() }).ToList();
        var cases = studies.Select(s => (s.SiteId, s.CaseId)).Distinct().ToList();
        int Count(ReleaseChange change) => changes.SingleOrDefault(c => c.Key == change)?.Count ?? 0;

        var notes = new StringBuilder();
        notes.Append(CultureInfo.InvariantCulture, $"# {programName}: release {release.Number}\n\n");
        notes.Append(CultureInfo.InvariantCulture, $"{studies.Count} exams of {cases.Count} cases ({objects} DICOM objects) from {studies.Select(s => s.SiteId).Distinct().Count()} sites.\n\n");
        notes.Append(CultureInfo.InvariantCulture, $"Changes since the previous release: {Count(ReleaseChange.Added)} objects added, {Count(ReleaseChange.Corrected)} corrected, {Count(ReleaseChange.Withdrawn)} withdrawn ({withdrawnCases} cases withdrawn by their sites). Every object is listed in `{ChangesName}`.\n\n");
        if (sequesteredCases > 0)
        {
            notes.Append(CultureInfo.InvariantCulture, $"{sequesteredCases} further cases are held back in the sequestered part and are not counted here.\n\n");
        }

        notes.Append("Ages over 89 are reported as the flag `>89`, never as a number. All times are day offsets from each case's index event.\n");
        Table("Exams by site", studies.GroupBy(s => sites.GetValueOrDefault(s.SiteId, "?")).Select(g => (g.Key, g.Count())));
        Table("Exams by modality", studies.SelectMany(s => s.Modalities).GroupBy(m => m).Select(g => (g.Key, g.Count())));
        Table("Cases by sex", cases.GroupBy(c => demographics.GetValueOrDefault(c)?.Sex ?? "unknown").Select(g => (g.Key, g.Count())));
        Table("Cases by age band", cases.GroupBy(c => demographics.GetValueOrDefault(c)?.AgeBand ?? "unknown").Select(g => (g.Key, g.Count())));
        await File.WriteAllTextAsync(Path.Combine(part, NotesName), notes.ToString(), new UTF8Encoding(false), cancellationToken);

        void Table(string title, IEnumerable<(string Key, int Count)> rows)
        {
            notes.Append(CultureInfo.InvariantCulture, $"\n## {title}\n\n| | count |\n|---|---:|\n");
            foreach (var (key, count) in rows.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                notes.Append(CultureInfo.InvariantCulture, $"| {key} | {count} |\n");
            }
        }
    }

    private static async Task WriteTsvAsync(string path, string[] header, IEnumerable<string[]> rows)
    {
        await using var writer = Open(path);
        await writer.WriteLineAsync(Row(header));
        foreach (var row in rows)
        {
            await writer.WriteLineAsync(Row(row));
        }
    }

    private static StreamWriter Open(string path) => new(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    /// <summary>One TSV line; tabs and line breaks inside a value (free text from sites) become spaces.</summary>
    private static string Row(IEnumerable<string> values) => string.Join('\t', values.Select(v => v.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ')));

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
