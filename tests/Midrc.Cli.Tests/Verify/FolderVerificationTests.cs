using System.Runtime.Versioning;
using Midrc.Cli.Verify;
using Midrc.Curation.Profiles;
using Midrc.Curation.Tests.EndToEnd;
using Midrc.Curation.Workers;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Cli.Tests.Verify;

/// <summary>A folder that changes while <c>midrc verify</c> runs: the command reports what it could not read, never crashes.</summary>
public sealed class FolderVerificationTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_file_removed_after_the_workers_read_it_is_reported_unreadable_with_its_findings_and_the_rest_is_checked()
    {
        var clean = LeakedFiles.WriteClean(Path.Combine(_folder.Path, "export"));
        // A leaky copy under the original's SOP Instance UID: both are read again for their checksums once the workers are done.
        var copy = Path.Combine(_folder.Path, "export", "copy.dcm");
        LeakedFiles.Inject(clean[0], copy, LeakedFiles.All[0].Kind);
        var inputs = VerifyInputs.Find(Path.Combine(_folder.Path, "export"))!;
        await using var pool = new CurationWorkerPool(new CurationWorkerPoolOptions
        {
            WorkerCount = 2,
            Command = WorkerCommand.ForAssembly(Path.Combine(AppContext.BaseDirectory, "midrc.dll")),
            ChecksSettings = ProfileLoader.DefaultProfileText(),
        });

        var run = await FolderVerification.RunAsync(inputs, ProfileLoader.LoadDefault(), pool, done =>
        {
            if (done == inputs.Files.Count)
            {
                File.Delete(copy);
            }
        }, CancellationToken.None);

        var report = run.Report;
        report.Unreadable.ShouldBe(1);
        var copyFindings = report.Findings.Where(f => f.File == "copy.dcm").ToList();
        var gone = copyFindings.Where(f => f.Rule == ParseRules.Unreadable).ShouldHaveSingleItem();
        gone.Message.ShouldContain("moved or changed while midrc verify ran");
        gone.Hint.ShouldBe("Leave the folder unchanged while midrc verify runs, then run it again.");
        // What the worker found in it is kept; the original is no longer compared with a file that is gone.
        copyFindings.ShouldContain(f => f.Rule.StartsWith("deid.", StringComparison.Ordinal));
        report.Findings.ShouldNotContain(f => f.Rule.StartsWith("qa.duplicate", StringComparison.Ordinal) || f.Rule.StartsWith("qa.conflicting", StringComparison.Ordinal));
        report.Passed.ShouldBe(clean.Count);
        run.AttributesByFile.Keys.ShouldNotContain("copy.dcm");
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_folder_that_cannot_be_listed_stops_verify_with_one_line_naming_it()
    {
        var export = Path.Combine(_folder.Path, "export");
        LeakedFiles.WriteClean(Path.Combine(export, "readable"));
        var locked = Path.Combine(export, "locked");
        LeakedFiles.WriteClean(locked);
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            // Root reads any folder: the command runs without the two capabilities that let it, as a site's account would.
            var outcome = Environment.IsPrivilegedProcess
                ? await HostProcess.RunExecutableAsync("setpriv", _folder.Path, TimeSpan.FromMinutes(2), "--bounding-set=-dac_override,-dac_read_search", NativeMidrc.Path, "verify", "export")
                : await HostProcess.RunExecutableAsync(NativeMidrc.Path, _folder.Path, TimeSpan.FromMinutes(2), "verify", "export");

            outcome.ExitCode.ShouldBe(VerifyCommand.CouldNotRun, outcome.Error);
            outcome.Output.ShouldBeEmpty();
            var line = outcome.Error.TrimEnd().Split('\n').ShouldHaveSingleItem();
            line.ShouldStartWith("midrc verify: 'export' cannot be listed in full:");
            line.ShouldContain(locked);
            line.ShouldContain("Give your account read access");
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
