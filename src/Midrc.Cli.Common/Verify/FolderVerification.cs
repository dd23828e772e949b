using Midrc.Cli.Files;
using Midrc.Curation.Dicom;
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
        var builder = new VerificationReportBuilder();
        foreach (var (name, analysis) in analyses)
        {
            builder.AddAnalysis(analysis, name);
        }
        var readable = analyses.Where(a => a.Analysis.Readable).ToList();
        var hashes = HashSharedSopInstances(readable.Select(a => a.Analysis), cancellationToken);
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
    private static Dictionary<string, string> HashSharedSopInstances(IEnumerable<FileAnalysis> readable, CancellationToken cancellationToken)
    {
        var shared = readable.Where(a => !string.IsNullOrEmpty(a.Index.SopInstanceUid))
            .GroupBy(a => a.Index.SopInstanceUid, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g)
            .Select(a => a.Path)
            .ToArray();
        var hashes = new string[shared.Length];
        Parallel.For(0, shared.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => hashes[i] = FileHashes.Sha256(shared[i]));
        return shared.Zip(hashes).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
    }
}
