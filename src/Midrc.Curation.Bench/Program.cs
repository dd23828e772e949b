using System.Globalization;
using Midrc.Curation.Bench;
using Midrc.Curation.Dicom;
using Midrc.Curation.Synthetic;
using Midrc.Curation.Workers;

// The benchmark serves as its own worker process for the pool measurement, as the host and the CLI do.
if (CurationWorker.TryRun(args))
{
    return 0;
}

// `verify`: midrc verify against the same checks written plainly with pydicom, on a CT series and a mixed folder.
if (args.FirstOrDefault() == "verify")
{
    return await VerifyBenchmark.RunAsync(args);
}

var sliceCount = Options.Int(args, "--slices", 500);
var memoryReads = Options.Int(args, "--memory-reads", 100_000);
var seconds = Options.Int(args, "--seconds", 2);
var rounds = Options.Int(args, "--rounds", 3);
var workDir = Path.Combine(Path.GetTempPath(), "midrc-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

Console.WriteLine($"Generating a {sliceCount}-slice synthetic CT series in {workDir} ...");
var ct = new SyntheticDicomWriter().WriteCtSeries(Path.Combine(workDir, "ct"), sliceCount).Files;
var reader = new GdcmDicomReader();
var pydicomFiles = Directory.Exists(Measurements.PydicomData)
    ? Directory.EnumerateFiles(Measurements.PydicomData, "*.dcm", SearchOption.AllDirectories).Where(reader.CanRead).Order(StringComparer.Ordinal).ToList()
    : [];
List<string> files = [.. ct, .. pydicomFiles];
var listFile = Path.Combine(workDir, "files.txt");
await File.WriteAllLinesAsync(listFile, files);
Console.WriteLine($"Files: {ct.Count} CT slices + {pydicomFiles.Count} pydicom test files = {files.Count}; each figure is the best of {rounds} interleaved rounds of about {seconds} s each.");
Console.WriteLine();

// The machine is shared, so load changes during a run: every reader is measured in each of several interleaved
// rounds and keeps its best round, which compares the readers under the same conditions.
var readers = new List<(string Name, Func<Task<double>> Measure)>
{
    ("GDCM in-process, 1 thread", () => Task.FromResult(Measurements.InProcess(reader, files, threads: 1, seconds))),
    ("GDCM in-process, 2 threads", () => Task.FromResult(Measurements.InProcess(reader, files, threads: 2, seconds))),
    ("Worker pool, 2 processes", () => Measurements.WorkerPoolAsync(files, workers: 2, seconds)),
    ("pydicom dcmread(stop_before_pixels)", () => Task.FromResult(Measurements.Pydicom(listFile, seconds, decodeEveryValue: false))),
    ("pydicom, every value decoded too", () => Task.FromResult(Measurements.Pydicom(listFile, seconds, decodeEveryValue: true))),
    ("DCMTK dcmdump, one process", () => Task.FromResult(Measurements.Dcmdump(files, seconds))),
};
var best = new double[readers.Count];
for (var round = 1; round <= rounds; round++)
{
    for (var i = 0; i < readers.Count; i++)
    {
        best[i] = Math.Max(best[i], await readers[i].Measure());
    }
    Console.WriteLine($"round {round} of {rounds} done");
}
var results = readers.Select((r, i) => (r.Name, ReadsPerSecond: best[i])).ToList();
var pydicom = results.Single(r => r.Name.StartsWith("pydicom dcmread", StringComparison.Ordinal)).ReadsPerSecond;
Console.WriteLine($"{"reader",-40} {"reads/s",10} {"vs pydicom",11}");
foreach (var (name, rate) in results)
{
    Console.WriteLine($"{name,-40} {rate,10:N0} {rate / pydicom,10:0.0}x");
}
Console.WriteLine();
Measurements.Memory(reader, files, memoryReads);
Directory.Delete(workDir, recursive: true);
return 0;
