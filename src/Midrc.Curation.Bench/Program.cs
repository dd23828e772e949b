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

var sliceCount = Options.Int(args, "--slices", 500);
var memoryReads = Options.Int(args, "--memory-reads", 100_000);
var seconds = Options.Int(args, "--seconds", 3);
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
Console.WriteLine($"Files: {ct.Count} CT slices + {pydicomFiles.Count} pydicom test files = {files.Count}; each figure reads the whole set repeatedly for about {seconds} s.");
Console.WriteLine();

var results = new List<(string Name, double ReadsPerSecond)>
{
    ("GDCM in-process, 1 thread", Measurements.InProcess(reader, files, threads: 1, seconds)),
    ("GDCM in-process, 2 threads", Measurements.InProcess(reader, files, threads: 2, seconds)),
    ("Worker pool, 2 processes (+SHA-256)", await Measurements.WorkerPoolAsync(files, workers: 2, seconds)),
    ("pydicom dcmread(stop_before_pixels)", Measurements.Pydicom(listFile, seconds)),
    ("DCMTK dcmdump, one process", Measurements.Dcmdump(files, seconds)),
};
var pydicom = results.Single(r => r.Name.StartsWith("pydicom", StringComparison.Ordinal)).ReadsPerSecond;
Console.WriteLine($"{"reader",-40} {"reads/s",10} {"vs pydicom",11}");
foreach (var (name, rate) in results)
{
    Console.WriteLine($"{name,-40} {rate,10:N0} {rate / pydicom,10:0.0}x");
}
Console.WriteLine();
Measurements.Memory(reader, files, memoryReads);
Directory.Delete(workDir, recursive: true);
return 0;
