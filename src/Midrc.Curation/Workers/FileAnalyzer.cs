using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Workers;

/// <summary>
/// Reads one file and runs the file checks on it. Runs inside a worker process (see <see cref="CurationWorker"/>);
/// use it directly only on trusted files, since GDCM can abort the process on malformed input.
/// </summary>
public sealed class FileAnalyzer(IDicomReader reader, IReadOnlyList<IFileCheck> checks)
{
    /// <summary>
    /// Reads the file's header and runs every check. The bytes are not hashed here: the intake hashes them as they arrive
    /// and <c>midrc verify</c> only needs the hashes of files that share a SOP Instance UID, so hashing every file again
    /// would double the work on large CT slices.
    /// </summary>
    public FileAnalysis Analyze(string path)
    {
        DicomFileView view;
        try
        {
            view = reader.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unreadable(path, ParseRules.Unreadable, $"'{System.IO.Path.GetFileName(path)}' could not be opened: {e.Message}", SizeOf(path));
        }
        catch (DicomReadException e)
        {
            return Unreadable(path, ParseRules.Unreadable, e.Message, SizeOf(path));
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
        return new FileAnalysis { Path = path, Readable = true, SizeBytes = view.SizeBytes, Index = IndexAttributes.From(view), Findings = findings };
    }

    /// <summary>The size of a file the reader refused, or 0 when it is gone or cannot be looked at.</summary>
    private static long SizeOf(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? info.Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The analysis of a file that could not be read, with its <c>parse.</c> finding.</summary>
    public static FileAnalysis Unreadable(string path, string rule, string reason, long size) => new()
    {
        Path = path,
        Readable = false,
        UnreadableReason = reason,
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
