using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Midrc.Curation.Findings;
using Midrc.Curation.Workers;

namespace Midrc.Curation.Reports;

/// <summary>
/// The result of verifying a set of files, in the shape of the <c>midrc verify</c> JSON report (design.md):
/// <c>{"files","passed","failed","unreadable","findings":[{"file","rule","severity","tag","path","keyword","message","hint"}]}</c>.
/// A file fails when it has at least one error finding; <c>files = passed + failed + unreadable</c>.
/// </summary>
public sealed class VerificationReport
{
    internal VerificationReport(int files, int passed, int failed, int unreadable, IReadOnlyList<Finding> findings)
    {
        Files = files;
        Passed = passed;
        Failed = failed;
        Unreadable = unreadable;
        Findings = findings;
    }

    /// <summary>Files looked at, readable or not.</summary>
    public int Files { get; }

    /// <summary>Readable files without an error finding.</summary>
    public int Passed { get; }

    /// <summary>Readable files with at least one error finding.</summary>
    public int Failed { get; }

    /// <summary>Files that could not be read as DICOM.</summary>
    public int Unreadable { get; }

    /// <summary>Every finding, in the order the files and checks produced them.</summary>
    public IReadOnlyList<Finding> Findings { get; }

    /// <summary>True when any finding is an error (the exit code of <c>midrc verify</c> is then 1).</summary>
    public bool HasErrors => Findings.Any(f => f.Severity == Severity.Error);

    /// <summary>The severity as written in reports: <c>error</c> or <c>warning</c>.</summary>
    public static string SeverityName(Severity severity) => severity == Severity.Error ? "error" : "warning";

    /// <summary>The report as JSON, keys in the fixed order of design.md; quotes and non-ASCII text are kept readable (the report is a file, never HTML).</summary>
    public string ToJson(bool indented = true)
    {
        using var buffer = new MemoryStream();
        WriteJson(buffer, indented);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    // The writer buffers until flushed; flushing as it goes keeps a report of many findings out of memory.
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Writes the report as UTF-8 JSON (see <see cref="ToJson"/>) straight to a stream, so a large report is never held as one string.</summary>
    public void WriteJson(Stream stream, bool indented = true)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = indented, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteNumber("files", Files);
        json.WriteNumber("passed", Passed);
        json.WriteNumber("failed", Failed);
        json.WriteNumber("unreadable", Unreadable);
        json.WriteStartArray("findings");
        foreach (var f in Findings)
        {
            json.WriteStartObject();
            json.WriteString("file", f.File);
            json.WriteString("rule", f.Rule);
            json.WriteString("severity", SeverityName(f.Severity));
            json.WriteString("tag", f.Tag);
            json.WriteString("path", f.Path);
            json.WriteString("keyword", f.Keyword);
            json.WriteString("message", f.Message);
            json.WriteString("hint", f.Hint);
            json.WriteEndObject();
            if (json.BytesPending > FlushThreshold)
            {
                json.Flush();
            }
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}

/// <summary>Collects per-file results, unreadable files and cross-file findings into a <see cref="VerificationReport"/>.</summary>
public sealed class VerificationReportBuilder
{
    private readonly List<Finding> _findings = [];
    private readonly List<string> _readable = [];
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);

    /// <summary>Adds a readable file and its findings (none when it passed).</summary>
    public VerificationReportBuilder AddFile(string file, IEnumerable<Finding> findings)
    {
        _readable.Add(file);
        _findings.AddRange(findings);
        return this;
    }

    /// <summary>Adds a file that could not be read as DICOM.</summary>
    public VerificationReportBuilder AddUnreadable(string file, string reason)
    {
        _unreadable.Add(file);
        _findings.Add(FileVerifier.Unreadable(file, reason));
        return this;
    }

    /// <summary>
    /// Adds a worker's analysis of one file under the name the report gives it. An unreadable file keeps its own
    /// <c>parse.</c> finding, so a parser crash or a timeout is reported as such rather than as a plain unreadable file.
    /// </summary>
    public VerificationReportBuilder AddAnalysis(FileAnalysis analysis, string file)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var findings = analysis.Findings.Select(f => f with { File = file });
        if (analysis.Readable)
        {
            return AddFile(file, findings);
        }
        _unreadable.Add(file);
        _findings.AddRange(findings);
        return this;
    }

    /// <summary>Adds findings of cross-file checks; an error about an added file makes that file fail.</summary>
    public VerificationReportBuilder AddFindings(IEnumerable<Finding> findings)
    {
        _findings.AddRange(findings);
        return this;
    }

    /// <summary>The report.</summary>
    public VerificationReport Build()
    {
        var failing = _findings.Where(f => f.Severity == Severity.Error).Select(f => f.File).ToHashSet(StringComparer.Ordinal);
        var readable = _readable.Distinct(StringComparer.Ordinal).Where(f => !_unreadable.Contains(f)).ToList();
        var failed = readable.Count(failing.Contains);
        return new VerificationReport(readable.Count + _unreadable.Count, readable.Count - failed, failed, _unreadable.Count, [.. _findings]);
    }
}
