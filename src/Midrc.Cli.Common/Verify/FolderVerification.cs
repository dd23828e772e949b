using Midrc.Cli.Files;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;
using Midrc.Curation.Reports;
using Midrc.Curation.Workers;

namespace Midrc.Cli.Verify;

/// <summary>A finished verification: the report and, per reported file name, the attributes that place it in its study and series.</summary>
internal sealed record VerificationRun(VerificationReport Report, IReadOnlyDictionary<string, IndexAttributes> AttributesByFile);

/// <summary>
/// Runs the server's checks offline: every file through the worker pool (a file that crashes the parser costs one
/// worker, never the command), then the cross-file checks over the readable ones, into one report.
/// </summary>
internal static class FolderVerification
{
    /// <summary>Verifies the inputs; <paramref name="progress"/> is told the number of files done after each one.</summary>
    public static async Task<VerificationRun> RunAsync(VerifyInputs inputs, CurationProfile profile, CurationWorkerPool pool,
        Action<int> progress, CancellationToken cancellationToken)
    {
        var analyses = new List<(string Name, FileAnalysis Analysis)>(inputs.Files.Count);
        await foreach (var analysis in pool.AnalyzeAsync(inputs.Files, cancellationToken))
        {
            // Only what the report needs is kept, so memory grows with findings, not with file contents.
            analyses.Add((inputs.ReportName(analysis.Path), analysis));
            progress(analyses.Count);
        }
        // Workers finish in any order; the report lists files in a stable order.
        analyses.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var (hashes, unhashable) = HashSharedSopInstances(analyses.Select(a => a.Analysis).Where(a => a.Readable), cancellationToken);
        var builder = new VerificationReportBuilder();
        for (var i = 0; i < analyses.Count; i++)
        {
            var (name, analysis) = analyses[i];
            if (unhashable.TryGetValue(analysis.Path, out var reason))
            {
                analysis = ReadOnce(analysis, reason);
                analyses[i] = (name, analysis);
            }
            builder.AddAnalysis(analysis, name);
        }
        var readable = analyses.Where(a => a.Analysis.Readable).ToList();
        builder.AddFindings(new SubmissionChecker(profile).Check(
            [.. readable.Select(a => new SubmittedFile(a.Name, hashes.GetValueOrDefault(a.Analysis.Path, ""), a.Analysis.Index))],
            new Dictionary<string, string>()));
        return new VerificationRun(builder.Build(), readable.ToDictionary(a => a.Name, a => a.Analysis.Index, StringComparer.Ordinal));
    }

    /// <summary>
    /// The SHA-256 of each file whose SOP Instance UID another file shares: only those need their bytes compared (the
    /// same copy twice, or different files under one UID), so the other files are never read a second time. The workers
    /// are done by now, so every core hashes.
    /// </summary>
    private static (Dictionary<string, string> Hashes, Dictionary<string, string> Unreadable) HashSharedSopInstances(
        IEnumerable<FileAnalysis> readable, CancellationToken cancellationToken)
    {
        var shared = readable.Where(a => !string.IsNullOrEmpty(a.Index.SopInstanceUid))
            .GroupBy(a => a.Index.SopInstanceUid, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g)
            .Select(a => a.Path)
            .ToArray();
        // Each file's checksum, or why it could not be read again.
        var outcomes = new (string? Hash, string? Failure)[shared.Length];
        Parallel.For(0, shared.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
        {
            try
            {
                outcomes[i] = (FileHashes.Sha256(shared[i]), null);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                outcomes[i] = (null, e.Message);
            }
        });
        var byPath = shared.Zip(outcomes).ToLookup(p => p.Second.Hash is not null);
        return (byPath[true].ToDictionary(p => p.First, p => p.Second.Hash!, StringComparer.Ordinal),
            byPath[false].ToDictionary(p => p.First, p => p.Second.Failure!, StringComparer.Ordinal));
    }

    /// <summary>
    /// A file a worker read that could not be read again for its checksum: it was moved, removed or changed while the
    /// command ran. It is reported unreadable (keeping what the worker found in it) and left out of the cross-file checks.
    /// </summary>
    private static FileAnalysis ReadOnce(FileAnalysis analysis, string reason)
    {
        var name = Path.GetFileName(analysis.Path);
        var message = $"'{name}' could not be read a second time to compare it with the files that share its SOP Instance UID: {reason} It was moved or changed while midrc verify ran.";
        return analysis with
        {
            Readable = false,
            UnreadableReason = message,
            Findings =
            [
                .. analysis.Findings,
                new Finding
                {
                    File = analysis.Path,
                    Rule = ParseRules.Unreadable,
                    Severity = Severity.Error,
                    Message = message,
                    Hint = "Leave the folder unchanged while midrc verify runs, then run it again.",
                },
            ],
        };
    }
}
