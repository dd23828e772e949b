using System.Diagnostics;
using System.Globalization;
using Midrc.Curation.Dicom;
using Midrc.Curation.Workers;

namespace Midrc.Curation.Bench;

/// <summary>Each measurement reads the same file list repeatedly for a fixed time and returns header reads per second.</summary>
internal static class Measurements
{
    public const string PydicomData = "/usr/lib/python3/dist-packages/pydicom/data";

    public static bool CanRead(this GdcmDicomReader reader, string path)
    {
        try
        {
            reader.Read(path);
            return true;
        }
        catch (DicomReadException)
        {
            return false;
        }
    }

    public static double InProcess(GdcmDicomReader reader, IReadOnlyList<string> files, int threads, int seconds)
    {
        files.AsParallel().WithDegreeOfParallelism(threads).ForAll(f => reader.Read(f));
        return Repeat(seconds, () =>
        {
            files.AsParallel().WithDegreeOfParallelism(threads).ForAll(f => reader.Read(f));
            return files.Count;
        });
    }

    public static async Task<double> WorkerPoolAsync(IReadOnlyList<string> files, int workers, int seconds)
    {
        await using var pool = new CurationWorkerPool(new CurationWorkerPoolOptions { WorkerCount = workers });
        await pool.AnalyzeAllAsync(files);
        var clock = Stopwatch.StartNew();
        var reads = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            reads += (await pool.AnalyzeAllAsync(files)).Count;
        }
        return reads / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// pydicom's header read, timed inside python so that interpreter start-up is not counted. pydicom decodes values
    /// lazily; with <paramref name="decodeEveryValue"/> it also decodes every element, which is what our reader does.
    /// </summary>
    public static double Pydicom(string listFile, int seconds, bool decodeEveryValue)
    {
        const string Script = """
            import sys, time, pydicom
            files = open(sys.argv[1]).read().split()
            decode = sys.argv[3] == "1"
            def read(f):
                d = pydicom.dcmread(f, stop_before_pixels=True, force=True)
                if decode:
                    for e in d.iterall():
                        e.value
            for f in files:
                read(f)
            reads, start = 0, time.perf_counter()
            while time.perf_counter() - start < float(sys.argv[2]):
                for f in files:
                    read(f)
                reads += len(files)
            print(reads / (time.perf_counter() - start))
            """;
        var output = Run("/usr/bin/python3", ["-c", Script, listFile, seconds.ToString(CultureInfo.InvariantCulture), decodeEveryValue ? "1" : "0"]);
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    public static double Dcmdump(IReadOnlyList<string> files, int seconds) => Repeat(seconds, () =>
    {
        Run("dcmdump", ["-q", "-M", "+sb", "7fe0,0010", .. files]);
        return files.Count;
    });

    public static void Memory(GdcmDicomReader reader, IReadOnlyList<string> files, int reads)
    {
        Console.WriteLine($"Memory over {reads:N0} in-process reads (re-reading the set):");
        Console.WriteLine($"{"reads",10} {"working set MiB",16} {"managed heap MiB",17}");
        var step = Math.Max(reads / 10, 1);
        using var self = Process.GetCurrentProcess();
        for (var i = 1; i <= reads; i++)
        {
            reader.Read(files[i % files.Count]);
            if (i % step == 0)
            {
                self.Refresh();
                Console.WriteLine($"{i,10:N0} {self.WorkingSet64 / 1048576.0,16:N1} {GC.GetTotalMemory(forceFullCollection: false) / 1048576.0,17:N1}");
            }
        }
        self.Refresh();
        Console.WriteLine($"Peak working set: {self.PeakWorkingSet64 / 1048576.0:N1} MiB");
    }

    private static double Repeat(int seconds, Func<int> round)
    {
        var clock = Stopwatch.StartNew();
        var reads = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            reads += round();
        }
        return reads / clock.Elapsed.TotalSeconds;
    }

    private static string Run(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 || fileName == "dcmdump"
            ? output
            : throw new InvalidOperationException($"{fileName} failed ({process.ExitCode}): {errors.Result}");
    }
}
