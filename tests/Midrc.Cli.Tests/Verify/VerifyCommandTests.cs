using Midrc.Cli.Verify;
using Midrc.Curation.Profiles;
using Midrc.Curation.Synthetic;
using Midrc.Curation.Tests.EndToEnd;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Cli.Tests.Verify;

/// <summary><c>midrc verify</c> as a site runs it: the real process, its worker processes, real files.</summary>
public sealed class VerifyCommandTests : IDisposable
{
    private const string PydicomData = "/usr/lib/python3/dist-packages/pydicom/data";
    private readonly TempFolder _folder = new();

    private string In(params string[] parts) => Path.Combine([_folder.Path, .. parts]);

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Verify_exits_zero_without_an_error_on_properly_deidentified_files()
    {
        var files = LeakedFiles.WriteClean(In("export"));

        var (exit, report, error) = await VerifyRun.JsonAsync(_folder.Path, "export");

        exit.ShouldBe(VerifyCommand.Passed, error);
        report.Files.ShouldBe(files.Count);
        report.Passed.ShouldBe(files.Count);
        report.Findings.Where(f => f.Severity == "error").ShouldBeEmpty();
    }

    [Fact]
    public async Task Verify_finds_every_injected_leak_and_reports_broken_files_unreadable_without_crashing()
    {
        var clean = LeakedFiles.WriteClean(In("export", "clean"));
        var source = clean[0];
        foreach (var leak in LeakedFiles.All)
        {
            LeakedFiles.Inject(source, In("export", "leaked", leak.Kind + ".dcm"), leak.Kind);
        }
        var bytes = await File.ReadAllBytesAsync(source);
        Directory.CreateDirectory(In("export", "broken"));
        await File.WriteAllBytesAsync(In("export", "broken", "truncated.dcm"), bytes[..(bytes.Length / 3)]);
        await File.WriteAllBytesAsync(In("export", "broken", "garbage.dcm"), [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 37 % 251))]);
        await File.WriteAllBytesAsync(In("export", "broken", "empty.dcm"), []);
        // Found by fuzzing: this one byte makes Debian's GDCM fail an assert and abort() the process reading it.
        var aborting = await File.ReadAllBytesAsync(Path.Combine(PydicomData, "test_files", "CT_small.dcm"));
        aborting[137] = 0;
        await File.WriteAllBytesAsync(In("export", "broken", "gdcm-abort.dcm"), aborting);

        var (exit, report, error) = await VerifyRun.JsonAsync(_folder.Path, "export");

        exit.ShouldBe(VerifyCommand.Failed, error);
        report.Files.ShouldBe(clean.Count + LeakedFiles.All.Count + 4);
        (report.Passed + report.Failed + report.Unreadable).ShouldBe(report.Files);
        report.Unreadable.ShouldBe(4);
        report.Passed.ShouldBe(clean.Count);
        foreach (var leak in LeakedFiles.All)
        {
            report.Findings.ShouldContain(f => f.File == $"leaked/{leak.Kind}.dcm" && leak.IsFoundBy(f.Rule, f.Tag, f.Path, f.Message),
                $"{leak.Kind}: {string.Join(" | ", report.Findings.Where(f => f.File.Contains(leak.Kind)).Select(f => $"{f.Rule} {f.Path}"))}");
        }
        report.Findings.Where(f => f.File.StartsWith("clean/", StringComparison.Ordinal) && f.Severity == "error").ShouldBeEmpty();
        report.Findings.Single(f => f.File == "broken/gdcm-abort.dcm").Rule.ShouldBe("parse.worker-crashed");
        foreach (var broken in new[] { "truncated", "garbage", "empty" })
        {
            report.Findings.Single(f => f.File == $"broken/{broken}.dcm").Rule.ShouldBe("parse.unreadable");
        }
    }

    [Fact]
    public async Task Verify_tells_a_second_copy_of_a_file_from_a_different_file_under_the_same_SOP_Instance_UID()
    {
        var clean = LeakedFiles.WriteClean(In("export"));
        File.Copy(clean[0], In("export", "copy-of-first.dcm"));
        // Sorted first, so the checker meets the changed file before the original and its copy.
        LeakedFiles.Inject(clean[0], In("export", "changed-first.dcm"), LeakedFiles.All[0].Kind);

        var (_, report, error) = await VerifyRun.JsonAsync(_folder.Path, "export");

        var sharing = report.Findings.Where(f => f.Rule is "qa.duplicate-sop-instance" or "qa.conflicting-sop-instance").Select(f => (f.Rule, f.File)).ToList();
        var original = Path.GetRelativePath(In("export"), clean[0]);
        sharing.ShouldBe([("qa.conflicting-sop-instance", "copy-of-first.dcm"), ("qa.duplicate-sop-instance", original)], ignoreOrder: true, error);
    }

    [Fact]
    public async Task Verify_reports_pydicoms_test_files_as_not_deidentified_and_every_file_is_counted_once()
    {
        var expected = Directory.EnumerateFiles(PydicomData, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(PydicomData, f))
            .ToHashSet();

        var (exit, report, error) = await VerifyRun.JsonAsync(_folder.Path, PydicomData);

        exit.ShouldBe(VerifyCommand.Failed, error);
        report.Files.ShouldBe(expected.Count);
        (report.Passed + report.Failed + report.Unreadable).ShouldBe(report.Files);
        report.Findings.Select(f => f.File).Where(f => f != "(submission)").ShouldAllBe(f => expected.Contains(f));
        var unreadable = report.Findings.Where(f => f.Rule.StartsWith("parse.", StringComparison.Ordinal)).ToList();
        unreadable.Select(f => f.File).Distinct().Count().ShouldBe(report.Unreadable);
        report.Unreadable.ShouldBeGreaterThan(0, "pydicom ships non-DICOM files (scripts, archives, JSON) next to its test files");
        report.Failed.ShouldBeGreaterThan(expected.Count(f => f.EndsWith(".dcm", StringComparison.Ordinal)) / 2, "third-party test files are not de-identified");
        report.Findings.ShouldContain(f => f.Rule == "deid.patient-name-not-pseudonym" && f.File == "test_files/CT_small.dcm");
        report.Findings.ShouldContain(f => f.Path.Contains('['), "findings inside sequences are located by path");
    }

    [Fact]
    public async Task Verify_prints_each_rule_once_by_study_and_series_with_counts_not_a_row_per_file()
    {
        var series = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH" }).WriteCtSeries(In("export"), 20);
        var profile = In("other-site.yaml");
        await File.WriteAllTextAsync(profile, ProfileLoader.DefaultProfileText().Replace(
            "patient-id: '[A-Z][A-Z0-9]{1,15}-[0-9]{4,8}|[0-9]{6}-[0-9]{6}'", "patient-id: 'OSL-[0-9]{4}'", StringComparison.Ordinal));

        var (exit, output, error) = await VerifyRun.RunAsync(_folder.Path, "export", "--profile", profile);

        exit.ShouldBe(VerifyCommand.Failed, error);
        output.ShouldContain("ERROR   deid.patient-id-not-pseudonym: 20 findings in 20 files");
        output.ShouldContain($"  - study {series.StudyInstanceUid}, series {series.SeriesInstanceUid}: 20 findings in 20 files, e.g. ct-0001.dcm, ct-0002.dcm, ct-0003.dcm");
        output.Split('\n').Count(l => l.Contains("is not a pseudonym of the form the program issues", StringComparison.Ordinal)).ShouldBe(1);
        output.ShouldContain("20 files: 0 passed, 20 failed, 0 unreadable");
        output.TrimEnd().ShouldEndWith("Result: FAILED. Fix the errors above before sending these files.");
    }

    [Fact]
    public async Task Verify_follows_the_given_profile_in_its_workers()
    {
        var clean = LeakedFiles.WriteClean(In("clean"));
        var leaked = LeakedFiles.Inject(clean[0], In("export", "leaked.dcm"), "phone-in-study-description");
        var lenient = In("lenient.yaml");
        await File.WriteAllTextAsync(lenient, ProfileLoader.DefaultProfileText().Replace("\nrules:\n", "\nrules:\n  deid.free-text-phi: off\n", StringComparison.Ordinal));

        var strict = await VerifyRun.JsonAsync(_folder.Path, leaked);
        var relaxed = await VerifyRun.JsonAsync(_folder.Path, leaked, "--profile", lenient);

        strict.ExitCode.ShouldBe(VerifyCommand.Failed, strict.Error);
        strict.Report.Findings.ShouldContain(f => f.File == "leaked.dcm" && f.Rule == "deid.free-text-phi");
        relaxed.ExitCode.ShouldBe(VerifyCommand.Passed, relaxed.Error);
        relaxed.Report.Findings.ShouldNotContain(f => f.Rule == "deid.free-text-phi");
    }

    [Fact]
    public async Task Verify_writes_the_report_to_the_out_file_and_prints_a_short_summary()
    {
        LeakedFiles.WriteClean(In("export"));
        LeakedFiles.Inject(In("export", "dx", "chest.dcm"), In("export", "sc.dcm"), "secondary-capture");

        var outcome = await VerifyRun.RunAsync(_folder.Path, "export", "--format", "json", "--out", "report.json");

        outcome.ExitCode.ShouldBe(VerifyCommand.Failed, outcome.Error);
        var report = VerifyReport.Parse(await File.ReadAllTextAsync(In("report.json")));
        report.Findings.ShouldContain(f => f.File == "sc.dcm" && f.Rule == "deid.secondary-capture" && f.Severity == "warning");
        report.Findings.ShouldContain(f => f.File == "sc.dcm" && f.Rule == "qa.sop-class-not-requested" && f.Severity == "error");
        outcome.Output.ShouldStartWith($"Report written to {In("report.json")}");
        outcome.Output.ShouldContain("WARNING deid.secondary-capture: 1 finding in 1 file");
        outcome.Output.ShouldContain("6 files: 5 passed, 1 failed, 0 unreadable");
    }

    [Fact]
    public async Task Verify_follows_no_symbolic_link_and_skips_hidden_files_dicomdir_and_pipes()
    {
        LeakedFiles.WriteClean(In("export"));
        File.CreateSymbolicLink(In("export", "linked.dcm"), Path.Combine(PydicomData, "test_files", "CT_small.dcm"));
        Directory.CreateSymbolicLink(In("export", "linked-folder"), Path.Combine(PydicomData, "test_files"));
        await File.WriteAllTextAsync(In("export", ".DS_Store"), "Finder metadata");
        await File.WriteAllTextAsync(In("export", "DICOMDIR"), "not an image");
        // A worker opening a pipe would wait for a writer until the file's time limit.
        await Fifo.CreateAsync(In("export", "pipe"));

        var (exit, report, error) = await VerifyRun.JsonAsync(_folder.Path, "export");

        exit.ShouldBe(VerifyCommand.Passed, error);
        report.Files.ShouldBe(5);
        error.ShouldContain("Skipped 2 symbolic links (not followed), 1 hidden file or folder, 1 DICOMDIR index file, 1 special file (pipe, socket or device)");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ctrl_C_stops_verify_with_exit_code_2_and_leaves_an_earlier_report_as_it_was_or_none(bool earlierReport)
    {
        var smallest = LeakedFiles.WriteClean(In("clean")).MinBy(f => new FileInfo(f).Length)!;
        for (var i = 0; i < 8000; i++)
        {
            var folder = In("export", $"{i / 500:00}");
            Directory.CreateDirectory(folder);
            File.Copy(smallest, Path.Combine(folder, $"{i:0000}.dcm"));
        }
        if (earlierReport)
        {
            await File.WriteAllTextAsync(In("report.json"), "the report of yesterday's run");
        }
        await using var verify = HostProcess.Start("midrc.dll", _folder.Path, new Dictionary<string, string>(), ["verify", "export", "--out", "report.json"]);
        // Its workers start first; 8,000 files then take seconds to list and check.
        await verify.WaitUntilAsync(() => Task.FromResult(Signals.HasChildren(verify.Id)), TimeSpan.FromMinutes(1), "starting its workers");

        await Signals.InterruptAsync(verify.Id);
        var outcome = await verify.WaitForExitAsync(TimeSpan.FromSeconds(30));

        outcome.ExitCode.ShouldBe(VerifyCommand.CouldNotRun, outcome.Output + outcome.Error);
        outcome.Error.TrimEnd().Split('\n')[^1].ShouldBe("midrc verify: interrupted before every file was checked; no report was written.");
        if (earlierReport)
        {
            (await File.ReadAllTextAsync(In("report.json"))).ShouldBe("the report of yesterday's run");
        }
        else
        {
            File.Exists(In("report.json")).ShouldBeFalse();
        }
    }

    public static TheoryData<string[], string> CannotRun() => new()
    {
        { ["missing-folder"], "'missing-folder' does not exist" },
        { [], "give a DICOM file or a folder" },
        { ["export", "--format", "xml"], "--format must be text or json" },
        { ["export", "--profile", "no-such-profile.yaml"], "the profile 'no-such-profile.yaml' could not be read" },
        { ["export", "--profile", "broken.yaml"], "the profile is not valid: broken.yaml, line" },
        { ["export", "--out", "no-such-folder/report.json"], "the report cannot be written to 'no-such-folder/report.json'" },
        { ["export", "--out", "export"], "the report cannot be written to 'export'" },
        { ["empty"], "there is no file to verify in 'empty'" },
        { ["export", "--frobnicate"], "unexpected argument '--frobnicate'" },
    };

    [Theory]
    [MemberData(nameof(CannotRun))]
    public async Task Verify_exits_two_with_one_clear_line_when_it_cannot_run(string[] args, string message)
    {
        LeakedFiles.WriteClean(In("export"));
        Directory.CreateDirectory(In("empty"));
        await File.WriteAllTextAsync(In("broken.yaml"), "program: [unclosed\n");

        var outcome = await VerifyRun.RunAsync(_folder.Path, args);

        outcome.ExitCode.ShouldBe(VerifyCommand.CouldNotRun);
        outcome.Output.ShouldBeEmpty();
        var line = outcome.Error.TrimEnd().Split('\n').ShouldHaveSingleItem();
        line.ShouldStartWith("midrc verify: ");
        line.ShouldContain(message);
    }
}
