using System.Diagnostics;
using Midrc.Curation.Synthetic;
using Midrc.Curation.Tests.Oracles;
using Midrc.Curation.Tests.WorkerHost;
using Midrc.Curation.Workers;

namespace Midrc.Curation.Tests.Workers;

public sealed class CurationWorkerPoolTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    [Fact]
    public async Task AnalyzeAsync_ReportsIndexHashAndFindings_ForEachFile()
    {
        var series = new SyntheticDicomWriter().WriteCtSeries(Path.Combine(_dir, "ct"), sliceCount: 3);
        var noSopInstance = Path.Combine(_dir, "no-sop-instance.dcm");
        ExternalTool.PythonScript("import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); del d.SOPInstanceUID; d.save_as(sys.argv[2])", series.Files[0], noSopInstance);
        var text = Path.Combine(_dir, "readme.dcm");
        await File.WriteAllTextAsync(text, string.Concat(Enumerable.Repeat("not an image ", 30)));
        string[] paths = [.. series.Files, noSopInstance, text, TestData.Resolve("CT_small.dcm")];
        await using var pool = TestWorkers.Pool();

        var results = (await pool.AnalyzeAllAsync(paths)).ToDictionary(r => r.Path);

        results.Keys.ShouldBe(paths, ignoreOrder: true);
        var slice = results[series.Files[1]];
        slice.Readable.ShouldBeTrue();
        slice.Findings.ShouldBeEmpty();
        slice.SizeBytes.ShouldBe(new FileInfo(series.Files[1]).Length);
        (slice.Index.PatientId, slice.Index.Modality, slice.Index.SeriesInstanceUid, slice.Index.BodyPartExamined)
            .ShouldBe(("SITE-0001", "CT", series.SeriesInstanceUid, "CHEST"));
        var missing = results[noSopInstance].Findings.ShouldHaveSingleItem();
        (missing.Rule, missing.Tag, missing.Keyword, missing.File).ShouldBe((TestChecks.RequiredAttributeCheck.Rule, "(0008,0018)", "SOPInstanceUID", noSopInstance));
        results[text].Readable.ShouldBeFalse();
        results[text].UnreadableReason.ShouldNotBeNull().ShouldContain("is not a DICOM file");
        results[text].Findings.ShouldHaveSingleItem().Rule.ShouldBe(ParseRules.Unreadable);
        results[TestData.Resolve("CT_small.dcm")].Index.PatientName.ShouldBe("CompressedSamples^CT1");
    }

    [Fact]
    public async Task AnalyzeAsync_ReportsTheFileAndCarriesOn_WhenAWorkerCrashesMidFile()
    {
        var files = new SyntheticDicomWriter().WriteCtSeries(_dir, sliceCount: 6).Files.ToList();
        var crashing = Path.Combine(_dir, "crash-me.dcm");
        File.Copy(files[0], crashing);
        files.Insert(3, crashing);
        await using var pool = TestWorkers.Pool(workers: 1, environment: new() { [TestChecks.CrashOnVariable] = "crash-me" });

        var results = await pool.AnalyzeAllAsync(files);

        results.Count.ShouldBe(files.Count);
        var crashed = results.Single(r => r.Path == crashing);
        crashed.Readable.ShouldBeFalse();
        crashed.UnreadableReason.ShouldNotBeNull().ShouldContain("crashed while reading 'crash-me.dcm' (worker exit code 134)");
        crashed.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ParseRules.WorkerCrashed);
        results.Where(r => r.Path != crashing).ShouldAllBe(r => r.Readable);
        (await pool.AnalyzeAllAsync([files[0]])).ShouldHaveSingleItem().Readable.ShouldBeTrue();
    }

    [Fact]
    public async Task AnalyzeAsync_SendsEveryOtherFileAgain_WhenAWorkerCrashesWithSeveralBatchesInFlight()
    {
        var files = new SyntheticDicomWriter().WriteCtSeries(_dir, sliceCount: 9).Files.ToList();
        var crashing = new[] { Path.Combine(_dir, "crash-me-1.dcm"), Path.Combine(_dir, "crash-me-2.dcm") };
        File.Copy(files[0], crashing[0]);
        File.Copy(files[0], crashing[1]);
        files.Insert(2, crashing[0]);
        files.Insert(7, crashing[1]);
        await using var pool = TestWorkers.Pool(workers: 1, environment: new() { [TestChecks.CrashOnVariable] = "crash-me" }, batchSize: 2);

        var results = await pool.AnalyzeAllAsync(files);

        results.Select(r => r.Path).Order().ShouldBe(files.Order());
        results.Where(r => !r.Readable).Select(r => r.Path).Order().ShouldBe(crashing);
        results.Where(r => !r.Readable).ShouldAllBe(r => r.Findings.Single().Rule == ParseRules.WorkerCrashed);
    }

    [Fact]
    public async Task AnalyzeAsync_ReportsTheFileAsCrashed_WhenGdcmAbortsOnARealMalformedFile()
    {
        // Found by fuzzing: a meta group length whose VR is "U\0" makes Debian's GDCM fail an assert and abort().
        var bytes = await File.ReadAllBytesAsync(TestData.Resolve("CT_small.dcm"));
        bytes[137] = 0;
        var aborting = Path.Combine(_dir, "bad-meta-vr.dcm");
        await File.WriteAllBytesAsync(aborting, bytes);
        string[] paths = [TestData.Resolve("MR_small.dcm"), aborting, TestData.Resolve("CT_small.dcm")];
        await using var pool = TestWorkers.Pool(workers: 1);

        var results = (await pool.AnalyzeAllAsync(paths)).ToDictionary(r => r.Path);

        results[aborting].Findings.ShouldHaveSingleItem().Rule.ShouldBe(ParseRules.WorkerCrashed);
        results[aborting].UnreadableReason.ShouldNotBeNull().ShouldContain("exit code 134");
        results[paths[0]].Readable.ShouldBeTrue();
        results[paths[2]].Readable.ShouldBeTrue();
    }

    [Fact]
    public async Task AnalyzeAsync_StopsTheWorkerAndReportsATimeout_WhenAFileTakesTooLong()
    {
        var files = new SyntheticDicomWriter().WriteCtSeries(_dir, sliceCount: 3).Files.ToList();
        var hanging = Path.Combine(_dir, "hang-me.dcm");
        File.Copy(files[0], hanging);
        files.Insert(1, hanging);
        await using var pool = TestWorkers.Pool(workers: 1, fileTimeout: TimeSpan.FromSeconds(2), environment: new() { [TestChecks.HangOnVariable] = "hang-me" });
        var clock = Stopwatch.StartNew();

        var results = await pool.AnalyzeAllAsync(files);

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        var timedOut = results.Single(r => r.Path == hanging);
        timedOut.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ParseRules.Timeout);
        timedOut.UnreadableReason.ShouldNotBeNull().ShouldContain("took longer than 2 s");
        results.Where(r => r.Path != hanging).Count(r => r.Readable).ShouldBe(3);
    }

    [Fact]
    public async Task AnalyzeAsync_StreamsResultsAsTheyComplete_AndStopsOnCancellation()
    {
        var files = new SyntheticDicomWriter().WriteCtSeries(_dir, sliceCount: 4).Files.ToList();
        var hanging = Path.Combine(_dir, "hang-me.dcm");
        File.Copy(files[0], hanging);
        await using var pool = TestWorkers.Pool(workers: 2, environment: new() { [TestChecks.HangOnVariable] = "hang-me" });
        using var cancel = new CancellationTokenSource();
        var seen = new List<FileAnalysis>();

        await Should.ThrowAsync<OperationCanceledException>(async () =>
        {
            await foreach (var result in pool.AnalyzeAsync([.. files, hanging], cancel.Token))
            {
                seen.Add(result);
                if (seen.Count == files.Count)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        seen.Select(r => r.Path).ShouldBe(files, ignoreOrder: true);
        var disposing = Stopwatch.StartNew();
        await pool.DisposeAsync();
        disposing.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task AnalyzeAsync_ThrowsWithTheCause_WhenTheWorkerCannotStart()
    {
        await using var pool = new CurationWorkerPool(new CurationWorkerPoolOptions
        {
            WorkerCount = 1,
            Command = new WorkerCommand(Path.Combine(_dir, "no-such-worker"), [CurationWorker.ReservedArgument]),
        });

        var error = await Should.ThrowAsync<InvalidOperationException>(() => pool.AnalyzeAllAsync([TestData.Resolve("CT_small.dcm")]));

        error.Message.ShouldContain("no-such-worker");
    }

    [Fact]
    public async Task AnalyzeAsync_Throws_AfterThePoolIsDisposed()
    {
        var pool = TestWorkers.Pool(workers: 1);
        await pool.DisposeAsync();

        await Should.ThrowAsync<ObjectDisposedException>(() => pool.AnalyzeAllAsync([TestData.Resolve("CT_small.dcm")]));
    }

    [Fact]
    public void ForCurrentProcess_StartsThisProgramAgainWithTheReservedArgument()
    {
        var command = WorkerCommand.ForCurrentProcess();

        command.FileName.ShouldBe(Environment.ProcessPath);
        command.Arguments[^1].ShouldBe(CurationWorker.ReservedArgument);
    }

    public void Dispose() => _dir.Dispose();
}
