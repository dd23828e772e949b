using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Midrc.Curation.Synthetic;

namespace Midrc.Curation.Bench;

/// <summary>
/// <c>verify</c> mode: <c>midrc verify</c> against the same checks written plainly with pydicom (<c>pydicom_verify.py</c>),
/// both run as the processes a user starts, on the same folders, in interleaved rounds. Reports files/s (start-up
/// included, as a user waits for it), CPU time per file (less sensitive to other load on a shared machine) and the peak
/// memory of each process tree (midrc's workers included). <c>midrc</c> is the native command a site installs
/// (scripts/publish-midrc.sh); <c>midrc.dll</c>, the same code run by the JIT from ReadyToRun images, is shown beside it.
/// Ratios read "times better": files/s ours ÷ theirs, CPU per file theirs ÷ ours, and peak memory ours ÷ theirs.
/// </summary>
internal static class VerifyBenchmark
{
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(string[] args)
    {
        var repository = FindRepository();
        var midrc = Options.Text(args, "--midrc", Path.Combine(repository, "src", "Midrc.Cli", "bin", "Release", "net10.0", "midrc.dll"));
        var native = Options.Text(args, "--native", Path.Combine(repository, "artifacts", "midrc", "midrc"));
        foreach (var (path, fix) in new[] { (midrc, "run 'dotnet build -c Release src/Midrc.Cli' first, or pass --midrc PATH"), (native, "run 'scripts/publish-midrc.sh' first, or pass --native PATH") })
        {
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync($"{path} is missing: {fix}.");
                return 2;
            }
        }
        var annexE = Path.Combine(repository, "src", "Midrc.Curation", "Deidentification", "annex_e_basic_profile.csv");
        var script = Path.Combine(AppContext.BaseDirectory, "pydicom_verify.py");
        var slices = Options.Int(args, "--slices", 500);
        var mixedCount = Options.Int(args, "--files", 10_000);
        var rounds = Options.Int(args, "--rounds", 2);
        var workDir = Path.Combine(Path.GetTempPath(), "midrc-verify-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

        Console.WriteLine($"Generating a {slices}-slice 512x512 CT series and a folder of {mixedCount:N0} mixed files in {workDir} ...");
        var ctFolder = Path.Combine(workDir, "ct-series");
        new SyntheticDicomWriter(new SyntheticDicomOptions { CtSize = 512 }).WriteCtSeries(ctFolder, slices);
        var mixedFolder = Path.Combine(workDir, "mixed");
        var composition = WriteMixed(mixedFolder, mixedCount);
        Console.WriteLine($"Mixed folder: {composition}. Each figure is the best of {rounds} interleaved rounds; memory is the peak over all rounds.");
        Console.WriteLine();

        Console.WriteLine($"{"folder",-14} {"tool",-22} {"files",7} {"seconds",8} {"files/s",9} {"CPU ms/f",10} {"peak MiB",9} {"passed",7} {"failed",7} {"unread.",7}");
        foreach (var (label, folder) in new[] { ($"CT x{slices}", ctFolder), ($"mixed x{mixedCount}", mixedFolder) })
        {
            var report = Path.Combine(workDir, "report.json");
            var ours = new Best();
            var managed = new Best();
            var theirs = new Best();
            for (var round = 0; round < rounds; round++)
            {
                ours.Add(Measure(native, ["verify", folder, "--format", "json", "--out", report]), report);
                managed.Add(Measure("dotnet", [midrc, "verify", folder, "--format", "json", "--out", report]), report);
                theirs.Add(Measure("/usr/bin/python3", [script, folder, annexE, report]), report);
            }
            ours.Print(label, "midrc verify");
            managed.Print(label, "midrc.dll (JIT+R2R)");
            theirs.Print(label, "pydicom, plain");
            Ratio(label, "ratio midrc/pydicom", ours, theirs);
            Ratio(label, "ratio .dll/pydicom", managed, theirs);
        }
        if (args.Contains("--keep"))
        {
            // For profiling midrc verify on the same folders.
            Console.WriteLine($"The folders are kept in {workDir}.");
        }
        else
        {
            Directory.Delete(workDir, recursive: true);
        }
        return 0;
    }

    /// <summary>
    /// 60% CT (series of 100 slices of 128x128), 30% chest radiographs (half DX, half CR, 256x256), 10% copies of every
    /// pydicom .dcm file (third-party encodings, broken files, not de-identified, duplicate SOP Instance UIDs).
    /// </summary>
    private static string WriteMixed(string folder, int count)
    {
        var pydicomFiles = Directory.EnumerateFiles(Measurements.PydicomData, "*.dcm", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var copies = count / 10;
        var ctSlices = count * 6 / 10;
        var radiographs = count - copies - ctSlices;
        var ct = new SyntheticDicomWriter(new SyntheticDicomOptions { CtSize = 128 });
        for (var written = 0; written < ctSlices; written += 100)
        {
            ct.WriteCtSeries(Path.Combine(folder, "ct", $"series-{written / 100:D3}"), Math.Min(100, ctSlices - written), patientNumber: 1 + (written / 100));
        }
        var dx = new SyntheticDicomWriter(new SyntheticDicomOptions { ChestSize = 256, ChestModality = "DX" });
        var cr = new SyntheticDicomWriter(new SyntheticDicomOptions { ChestSize = 256, ChestModality = "CR" });
        for (var i = 0; i < radiographs; i++)
        {
            (i % 2 == 0 ? dx : cr).WriteChestRadiograph(Path.Combine(folder, "xr", $"patient-{i:D5}"), patientNumber: 1000 + i);
        }
        for (var i = 0; i < copies; i++)
        {
            var source = pydicomFiles[i % pydicomFiles.Count];
            var target = Path.Combine(folder, "pydicom", $"copy-{i / pydicomFiles.Count:D3}", Path.GetFileName(source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }
        return $"{ctSlices:N0} CT slices, {radiographs:N0} DX/CR radiographs, {copies:N0} copies of pydicom's {pydicomFiles.Count} test files";
    }

    private static void Ratio(string folder, string label, Best ours, Best theirs) =>
        Console.WriteLine($"{folder,-14} {label,-22} {"",7} {"",8} {ours.FilesPerSecond / theirs.FilesPerSecond,8:0.0}x {theirs.CpuMillisecondsPerFile / ours.CpuMillisecondsPerFile,9:0.00}x {ours.PeakBytes / (double)theirs.PeakBytes,8:0.00}x");

    private sealed record Measurement(TimeSpan Elapsed, TimeSpan Cpu, long PeakBytes, int ExitCode);

    /// <summary>
    /// Runs a process to its end under GNU time (whose CPU figure includes every descendant the process waited for,
    /// i.e. midrc's workers), sampling the resident memory of the whole process tree meanwhile.
    /// </summary>
    private static Measurement Measure(string fileName, IEnumerable<string> arguments)
    {
        var cpuFile = Path.GetTempFileName();
        var start = new ProcessStartInfo("/usr/bin/time") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-f", "%U %S", "-o", cpuFile, fileName, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.WaitForExit(SampleInterval))
        {
            peak = Math.Max(peak, TreeResidentBytes(process.Id));
        }
        clock.Stop();
        if (process.ExitCode > 1)
        {
            throw new InvalidOperationException($"{fileName} failed ({process.ExitCode}): {error.Result}{output.Result}");
        }
        var cpu = File.ReadAllLines(cpuFile).Last().Split(' ').Sum(seconds => double.Parse(seconds, CultureInfo.InvariantCulture));
        File.Delete(cpuFile);
        return new Measurement(clock.Elapsed, TimeSpan.FromSeconds(cpu), peak, process.ExitCode);
    }

    /// <summary>Resident memory of a process and its descendants, from /proc.</summary>
    private static long TreeResidentBytes(int root)
    {
        var parents = new Dictionary<int, (int Parent, long Pages)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                // Fields after the command name (which may hold spaces) start at ") ": state, ppid, ..., rss is the 24th field overall.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[21], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process ended between listing and reading: it no longer holds memory.
                continue;
            }
        }
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, (parent, _)) in parents)
            {
                grew |= tree.Contains(parent) && tree.Add(pid);
            }
        }
        return tree.Sum(pid => parents.TryGetValue(pid, out var p) ? p.Pages : 0) * Environment.SystemPageSize;
    }

    private static string FindRepository()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Midrc.Orchestrator.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException("Run the benchmark from the repository's build output (Midrc.Orchestrator.sln not found above it).");
    }

    /// <summary>The fastest round of one tool on one folder, the peak memory of all its rounds, and what its report said.</summary>
    private sealed class Best
    {
        private TimeSpan _fastest = TimeSpan.MaxValue;
        private TimeSpan _leastCpu = TimeSpan.MaxValue;
        private (int Files, int Passed, int Failed, int Unreadable) _counts;

        public long PeakBytes { get; private set; }

        public double FilesPerSecond => _counts.Files / _fastest.TotalSeconds;

        public double CpuMillisecondsPerFile => _leastCpu.TotalMilliseconds / _counts.Files;

        public void Add(Measurement measurement, string reportPath)
        {
            _fastest = measurement.Elapsed < _fastest ? measurement.Elapsed : _fastest;
            _leastCpu = measurement.Cpu < _leastCpu ? measurement.Cpu : _leastCpu;
            PeakBytes = Math.Max(PeakBytes, measurement.PeakBytes);
            using var report = JsonDocument.Parse(File.ReadAllText(reportPath));
            int Count(string name) => report.RootElement.GetProperty(name).GetInt32();
            _counts = (Count("files"), Count("passed"), Count("failed"), Count("unreadable"));
        }

        public void Print(string folder, string tool) =>
            Console.WriteLine($"{folder,-14} {tool,-22} {_counts.Files,7} {_fastest.TotalSeconds,8:0.00} {FilesPerSecond,9:N0} {CpuMillisecondsPerFile,10:0.00} {PeakBytes / 1048576.0,9:N0} {_counts.Passed,7} {_counts.Failed,7} {_counts.Unreadable,7}");
    }
}
