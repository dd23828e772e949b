using System.Security.Cryptography;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Workers;

/// <summary>
/// Reads one file and runs the file checks on it. Runs inside a worker process (see <see cref="CurationWorker"/>);
/// use it directly only on trusted files, since GDCM can abort the process on malformed input.
/// </summary>
public sealed class FileAnalyzer(IDicomReader reader, IReadOnlyList<IFileCheck> checks)
{
    /// <summary>Reads the file, hashes it and runs every check.</summary>
    public FileAnalysis Analyze(string path)
    {
        long size;
        string sha256;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            size = stream.Length;
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable(path, ParseRules.Unreadable, $"'{System.IO.Path.GetFileName(path)}' could not be opened: {e.Message}", sha256: null, size: 0);
        }
        DicomFileView view;
        try
        {
            view = reader.Read(path);
        }
        catch (DicomReadException e)
        {
            return Unreadable(path, ParseRules.Unreadable, e.Message, sha256, size);
        }
        var findings = new List<Finding>();
        foreach (var check in checks)
        {
            try
            {
                findings.AddRange(check.Check(view));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                findings.Add(new Finding
                {
                    File = path,
                    Rule = ParseRules.CheckFailed,
                    Severity = Severity.Error,
                    Message = $"The check {check.GetType().Name} failed on this file: {e.Message}",
                    Hint = "This is a fault in the checker, not necessarily in the file; tell the program team.",
                });
            }
        }
        return new FileAnalysis { Path = path, Readable = true, Sha256 = sha256, SizeBytes = size, Index = IndexAttributes.From(view), Findings = findings };
    }

    /// <summary>The analysis of a file that could not be read, with its <c>parse.</c> finding.</summary>
    public static FileAnalysis Unreadable(string path, string rule, string reason, string? sha256, long size) => new()
    {
        Path = path,
        Readable = false,
        UnreadableReason = reason,
        Sha256 = sha256,
        SizeBytes = size,
        Findings =
        [
            new Finding
            {
                File = path,
                Rule = rule,
                Severity = Severity.Error,
                Message = reason,
                Hint = "Export the file again from the source system and resubmit it; if it keeps failing, send it to the program team for inspection.",
            },
        ],
    };
}
