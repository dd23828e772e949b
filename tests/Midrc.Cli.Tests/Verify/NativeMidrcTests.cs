using Midrc.Cli.Verify;
using Midrc.Curation.Tests.EndToEnd;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Cli.Tests.Verify;

/// <summary>
/// The native <c>midrc</c> a site installs (scripts/publish-midrc.sh; ./test.sh publishes it before the tests): verify
/// compiled ahead of time must say exactly what the managed command says, and every other command must reach the
/// managed midrc beside it.
/// </summary>
public sealed class NativeMidrcTests : IDisposable
{
    private const string PydicomTestFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
    private const string PydicomCharsetFiles = "/usr/lib/python3/dist-packages/pydicom/data/charset_files";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_native_verify_reports_byte_for_byte_what_the_managed_one_does_on_leaks_broken_files_and_third_party_files()
    {
        var export = Path.Combine(_folder.Path, "export");
        var clean = LeakedFiles.WriteClean(Path.Combine(export, "clean"));
        foreach (var leak in LeakedFiles.All)
        {
            LeakedFiles.Inject(clean[0], Path.Combine(export, "leaked", leak.Kind + ".dcm"), leak.Kind);
        }
        // Found by fuzzing: this one byte makes Debian's GDCM abort() the process reading it (here a native worker).
        var aborting = await File.ReadAllBytesAsync(Path.Combine(PydicomTestFiles, "CT_small.dcm"));
        aborting[137] = 0;
        Directory.CreateDirectory(Path.Combine(export, "broken"));
        await File.WriteAllBytesAsync(Path.Combine(export, "broken", "gdcm-abort.dcm"), aborting);
        await File.WriteAllBytesAsync(Path.Combine(export, "broken", "truncated.dcm"), (await File.ReadAllBytesAsync(clean[0]))[..1000]);
        // Third-party files in odd encodings: every pydicom test file, and its character-set files (ISO 2022 Japanese and
        // Korean, Arabic, Greek, Hebrew, Russian, Latin-1, UTF-8, GB18030), whose decoding must not change in a native build.
        foreach (var folder in new[] { PydicomTestFiles, PydicomCharsetFiles })
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.dcm"))
            {
                File.Copy(file, Path.Combine(export, $"pydicom-{Path.GetFileName(folder)}-{Path.GetFileName(file)}"));
            }
        }

        var native = await HostProcess.RunExecutableAsync(NativeMidrc.Path, _folder.Path, Limit, "verify", "export", "--format", "json");
        var managed = await VerifyRun.RunAsync(_folder.Path, "export", "--format", "json");

        native.ExitCode.ShouldBe(VerifyCommand.Failed, native.Error);
        native.Error.ShouldNotContain("Unhandled exception");
        native.Output.ShouldBe(managed.Output);
        native.ExitCode.ShouldBe(managed.ExitCode);
        var report = VerifyReport.Parse(native.Output);
        report.Findings.ShouldContain(f => f.File == "broken/gdcm-abort.dcm" && f.Rule == "parse.worker-crashed");
        foreach (var leak in LeakedFiles.All)
        {
            report.Findings.ShouldContain(f => f.File == $"leaked/{leak.Kind}.dcm" && leak.IsFoundBy(f.Rule, f.Tag, f.Path, f.Message), $"the {leak.Kind} leak");
        }
    }

    [Fact]
    public async Task A_worker_stopped_before_its_first_file_exits_quietly_every_time()
    {
        // With one file the second worker gets nothing and is stopped while GDCM may still be loading in it. Exiting in
        // the middle of that load once aborted it on an assertion in gdcm::Global, about one run in 150 with two at a time.
        var clean = LeakedFiles.WriteClean(Path.Combine(_folder.Path, "clean"));
        Directory.CreateDirectory(Path.Combine(_folder.Path, "one"));
        File.Copy(clean[0], Path.Combine(_folder.Path, "one", "only.dcm"));

        for (var round = 0; round < 40; round++)
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
                HostProcess.RunExecutableAsync(NativeMidrc.Path, _folder.Path, Limit, "verify", "one", "--format", "json")));
            foreach (var run in runs)
            {
                run.ExitCode.ShouldBe(VerifyCommand.Passed, run.Error);
                run.Error.ShouldBeEmpty();
            }
        }
    }

    [Fact]
    public async Task The_native_verify_exits_two_with_one_line_on_a_broken_profile()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder.Path, "broken.yaml"), "rules: [unclosed\n");

        var outcome = await HostProcess.RunExecutableAsync(NativeMidrc.Path, _folder.Path, Limit, "verify", PydicomTestFiles, "--profile", "broken.yaml");

        outcome.ExitCode.ShouldBe(VerifyCommand.CouldNotRun);
        outcome.Error.TrimEnd().Split('\n').Last().ShouldStartWith("midrc verify: the profile is not valid: broken.yaml, line");
        outcome.Error.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task Every_other_command_is_run_by_the_managed_midrc_beside_it_with_its_output_and_exit_code()
    {
        var repository = NativeMidrc.Repository;

        var validate = await HostProcess.RunExecutableAsync(NativeMidrc.Path, repository, Limit, "workflows", "validate");
        var help = await HostProcess.RunExecutableAsync(NativeMidrc.Path, repository, Limit, "--help");
        var unknown = await HostProcess.RunExecutableAsync(NativeMidrc.Path, repository, Limit, "no-such-command");

        validate.ExitCode.ShouldBe(0, validate.Error);
        validate.Output.ShouldStartWith("OK: ");
        help.ExitCode.ShouldBe(0, help.Error);
        foreach (var command in new[] { "verify", "submit", "workflows", "sites", "tokens" })
        {
            help.Output.ShouldContain($"\n  {command}");
        }
        unknown.ExitCode.ShouldBe(1);
        unknown.Error.ShouldContain("no-such-command");
    }
}

/// <summary>Where the published native midrc is: MIDRC_NATIVE, else artifacts/midrc/midrc in the repository.</summary>
internal static class NativeMidrc
{
    /// <summary>The repository: the nearest folder above the test output holding Midrc.Orchestrator.sln.</summary>
    public static string Repository { get; } = AncestorsOf(AppContext.BaseDirectory).FirstOrDefault(d => File.Exists(System.IO.Path.Combine(d, "Midrc.Orchestrator.sln")))
        ?? throw new DirectoryNotFoundException($"The repository (Midrc.Orchestrator.sln) is not above {AppContext.BaseDirectory}.");

    public static string Path { get; } = Existing(
        Environment.GetEnvironmentVariable("MIDRC_NATIVE") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(Repository, "artifacts", "midrc", "midrc"));

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"The native midrc {path} is missing: run scripts/publish-midrc.sh (./test.sh does).", path);

    private static IEnumerable<string> AncestorsOf(string folder)
    {
        for (var d = new DirectoryInfo(folder); d is not null; d = d.Parent)
        {
            yield return d.FullName;
        }
    }
}
