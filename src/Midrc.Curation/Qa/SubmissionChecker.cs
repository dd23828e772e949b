using System.Globalization;
using Midrc.Curation.Deidentification;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Qa;

/// <summary>One received file as the cross-file checks see it: where it is, its content hash and its index attributes.</summary>
/// <param name="File">The file's name or path, as reported.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes (hex).</param>
/// <param name="Attributes">The file's index attributes (all null for a file that could not be read).</param>
public sealed record SubmittedFile(string File, string Sha256, IndexAttributes Attributes);

/// <summary>What the site said it sent (from a manifest or the upload form); null counts are not checked.</summary>
/// <param name="Files">Number of files.</param>
/// <param name="Studies">Number of studies.</param>
/// <param name="Series">Number of series.</param>
public sealed record DeclaredCounts(int? Files = null, int? Studies = null, int? Series = null);

/// <summary>
/// The checks that need several files: duplicate SOP instances (within the submission and against everything
/// already received), series consistency, CT slice gaps, one patient per study, one Patient Name per Patient ID,
/// and counts against what the site declared. Works on <see cref="IndexAttributes"/> only, so it needs no DICOM parsing.
/// </summary>
public sealed class SubmissionChecker(RuleSettings rules)
{
    /// <summary>The <c>File</c> of findings about the whole submission rather than one file.</summary>
    public const string SubmissionFile = "(submission)";

    // A spacing this many times the median spacing means at least one slice is missing.
    private const double GapFactor = 1.5;
    private const int MinimumSlicesForGaps = 3;

    // Numeric values are compared as numbers ("2.50" and "2.5" agree), but only when their text differs.
    private static readonly (string Keyword, DicomTag Tag, Func<IndexAttributes, string?> Value, bool CtOnly, bool Numeric)[] SeriesInvariants =
    [
        ("Modality", new DicomTag(0x0008, 0x0060), a => a.Modality, false, false),
        ("StudyInstanceUID", new DicomTag(0x0020, 0x000D), a => a.StudyInstanceUid, false, false),
        ("Rows", new DicomTag(0x0028, 0x0010), a => a.Rows, true, true),
        ("Columns", new DicomTag(0x0028, 0x0011), a => a.Columns, true, true),
        ("SliceThickness", new DicomTag(0x0018, 0x0050), a => a.SliceThickness, true, true),
    ];

    /// <summary>A checker with the rules (and severities) of a profile.</summary>
    public SubmissionChecker(CurationProfile profile)
        : this(profile.Rules)
    {
    }

    /// <summary>All cross-file findings for one submission.</summary>
    /// <param name="files">Every file of the submission.</param>
    /// <param name="alreadyReceived">SOP Instance UID → SHA-256 of every file received before this submission.</param>
    /// <param name="declared">What the site said it sent, when it said so.</param>
    public IReadOnlyList<Finding> Check(
        IReadOnlyList<SubmittedFile> files,
        IReadOnlyDictionary<string, string> alreadyReceived,
        DeclaredCounts? declared = null) =>
        [
            .. Duplicates(files, alreadyReceived),
            .. files.Where(f => f.Attributes.SeriesInstanceUid is not null)
                .GroupBy(f => f.Attributes.SeriesInstanceUid!, StringComparer.Ordinal)
                .SelectMany(series => SeriesConsistency(series.Key, [.. series]).Concat(SliceGaps(series.Key, [.. series]))),
            .. OnePatientPerStudy(files),
            .. OneNamePerPatient(files),
            .. Counts(files, declared ?? new DeclaredCounts()),
        ];

    private IEnumerable<Finding> Duplicates(IReadOnlyList<SubmittedFile> files, IReadOnlyDictionary<string, string> alreadyReceived)
    {
        // Every earlier file per SOP Instance UID: a file is a second copy when it matches any of them, else it conflicts with the first.
        var earlierByUid = new Dictionary<string, List<SubmittedFile>>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.Attributes.SopInstanceUid is not { } uid)
            {
                continue;
            }
            if (alreadyReceived.TryGetValue(uid, out var receivedHash)
                && Duplicate(file, uid, receivedHash, "a file received in an earlier submission") is { } received)
            {
                yield return received;
            }
            if (!earlierByUid.TryGetValue(uid, out var earlier))
            {
                earlierByUid[uid] = [file];
                continue;
            }
            var same = earlier.Find(e => string.Equals(e.Sha256, file.Sha256, StringComparison.OrdinalIgnoreCase)) ?? earlier[0];
            if (Duplicate(file, uid, same.Sha256, $"{same.File} in this submission") is { } finding)
            {
                yield return finding;
            }
            earlier.Add(file);
        }
    }

    private Finding? Duplicate(SubmittedFile file, string uid, string otherHash, string other)
    {
        var identical = string.Equals(file.Sha256, otherHash, StringComparison.OrdinalIgnoreCase);
        var finding = identical
            ? rules.Report("qa.duplicate-sop-instance", file.File, $"SOP Instance UID {uid} was already sent, with identical content, as {other}.", keyword: "SOPInstanceUID")
            : rules.Report("qa.conflicting-sop-instance", file.File, $"SOP Instance UID {uid} is also used by {other}, but the file contents differ.", keyword: "SOPInstanceUID");
        return At(finding, new DicomTag(0x0008, 0x0018));
    }

    private IEnumerable<Finding> SeriesConsistency(string seriesUid, IReadOnlyList<SubmittedFile> series)
    {
        var isCt = series.Any(f => f.Attributes.Modality == "CT");
        foreach (var (keyword, tag, value, ctOnly, numeric) in SeriesInvariants)
        {
            if (ctOnly && !isCt)
            {
                continue;
            }
            var finding = Disagreement("qa.series-inconsistent", series, value, tag, keyword,
                values => $"Series {seriesUid} mixes {keyword} values: {values}; it must be the same for the whole series.",
                numeric ? Number : null);
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    private IEnumerable<Finding> SliceGaps(string seriesUid, IReadOnlyList<SubmittedFile> series)
    {
        if (!series.Any(f => f.Attributes.Modality == "CT"))
        {
            yield break;
        }
        var oriented = series
            .Select(f => (File: f, Orientation: Vector(f.Attributes.ImageOrientationPatient, 6), Position: Vector(f.Attributes.ImagePositionPatient, 3)))
            .Where(x => x.Orientation is not null && x.Position is not null)
            .ToList();
        if (oriented.Count < MinimumSlicesForGaps)
        {
            yield break;
        }
        var normal = Cross(oriented[0].Orientation!);
        var slices = oriented
            .Where(x => SameOrientation(x.Orientation!, oriented[0].Orientation!))
            .Select(x => (x.File, Z: Dot(x.Position!, normal)))
            .OrderBy(x => x.Z)
            .ToList();
        var steps = slices.Zip(slices.Skip(1), (a, b) => (Before: a, After: b, Step: b.Z - a.Z)).Where(s => s.Step > 1e-3).ToList();
        if (steps.Count < 2)
        {
            yield break;
        }
        var median = Median(steps.Select(s => s.Step));
        var gaps = steps.Where(s => s.Step > GapFactor * median).ToList();
        if (gaps.Count == 0)
        {
            yield break;
        }
        var first = gaps[0];
        var missing = gaps.Sum(g => (int)Math.Round(g.Step / median) - 1);
        var finding = At(rules.Report("qa.ct-slice-gap", first.After.File.File,
            string.Create(CultureInfo.InvariantCulture,
                $"CT series {seriesUid} has {Plural.Count(gaps.Count, "gap")} in slice positions (about {Plural.Count(missing, "missing slice")}); the first is {first.Step:0.##} mm between positions {first.Before.Z:0.##} and {first.After.Z:0.##} mm, where slices are normally {median:0.##} mm apart."),
            keyword: "ImagePositionPatient"), new DicomTag(0x0020, 0x0032));
        if (finding is not null)
        {
            yield return finding;
        }
    }

    private IEnumerable<Finding> OnePatientPerStudy(IReadOnlyList<SubmittedFile> files) =>
        files.Where(f => f.Attributes.StudyInstanceUid is not null)
            .GroupBy(f => f.Attributes.StudyInstanceUid!, StringComparer.Ordinal)
            .Select(study => Disagreement("qa.study-multiple-patients", [.. study], a => a.PatientId, new DicomTag(0x0010, 0x0020), "PatientID",
                values => $"Study {study.Key} holds images of more than one Patient ID: {values}."))
            .OfType<Finding>();

    private IEnumerable<Finding> OneNamePerPatient(IReadOnlyList<SubmittedFile> files) =>
        files.Where(f => f.Attributes.PatientId is not null)
            .GroupBy(f => f.Attributes.PatientId!, StringComparer.Ordinal)
            .Select(patient => Disagreement("qa.patient-name-inconsistent", [.. patient], a => a.PatientName,
                new DicomTag(0x0010, 0x0010), "PatientName",
                values => $"Patient ID {patient.Key} comes with different Patient Names: {values}.", PhiText.Mask))
            .OfType<Finding>();

    private IEnumerable<Finding> Counts(IReadOnlyList<SubmittedFile> files, DeclaredCounts declared)
    {
        var received = new (string What, int? Declared, int Actual)[]
        {
            ("files", declared.Files, files.Count),
            ("studies", declared.Studies, files.Select(f => f.Attributes.StudyInstanceUid).OfType<string>().Distinct(StringComparer.Ordinal).Count()),
            ("series", declared.Series, files.Select(f => f.Attributes.SeriesInstanceUid).OfType<string>().Distinct(StringComparer.Ordinal).Count()),
        };
        foreach (var (what, expected, actual) in received)
        {
            if (expected is { } e && e != actual
                && rules.Report("qa.count-mismatch", SubmissionFile, $"The site declared {e} {what}, but {actual} were received.") is { } finding)
            {
                yield return finding;
            }
        }
    }

    /// <summary>
    /// One finding when files of a group disagree on a value; it names each value with its file count and
    /// points at the first file of the least common value (the likely odd one out). With <paramref name="compared"/>,
    /// values are compared (and shown) as it rewrites them, which only happens for groups whose raw values differ.
    /// </summary>
    private Finding? Disagreement(string rule, IReadOnlyList<SubmittedFile> group, Func<IndexAttributes, string?> value,
        DicomTag tag, string keyword, Func<string, string> message, Func<string, string?>? compared = null)
    {
        if (!Disagree(group, value))
        {
            return null;
        }
        if (compared is not null)
        {
            var raw = value;
            value = a => raw(a) is { } v ? compared(v) : null;
            if (!Disagree(group, value))
            {
                return null;
            }
        }
        var byValue = group
            .Select(f => (File: f, Value: value(f.Attributes)))
            .Where(x => x.Value is not null)
            .GroupBy(x => x.Value!, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count())
            .ToList();
        var values = string.Join(", ", byValue.Select(g => $"{g.Key} ({Plural.Count(g.Count(), "file")})"));
        return At(rules.Report(rule, byValue[^1].First().File.File, message(values), keyword: keyword), tag);
    }

    /// <summary>Whether two files of the group have different values; most groups agree, and are let go without grouping.</summary>
    private static bool Disagree(IReadOnlyList<SubmittedFile> group, Func<IndexAttributes, string?> value)
    {
        string? first = null;
        foreach (var file in group)
        {
            if (value(file.Attributes) is not { } v)
            {
                continue;
            }
            first ??= v;
            if (!string.Equals(first, v, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static Finding? At(Finding? finding, DicomTag tag) =>
        finding is null ? null : finding with { Tag = tag.ToString(), Path = tag.ToString() };

    private static string? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : text?.Trim();

    private static double[]? Vector(string? text, int length)
    {
        if (text is null)
        {
            return null;
        }
        var values = new double[length];
        var count = 0;
        foreach (var part in text.AsSpan().Split('\\'))
        {
            if (count == length || !double.TryParse(text.AsSpan(part), NumberStyles.Float, CultureInfo.InvariantCulture, out values[count++]))
            {
                return null;
            }
        }
        return count == length ? values : null;
    }

    private static double[] Cross(double[] o) =>
        [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];

    private static double Dot(double[] a, double[] b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    private static bool SameOrientation(double[] a, double[] b) => a.Zip(b).All(p => Math.Abs(p.First - p.Second) < 1e-3);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
