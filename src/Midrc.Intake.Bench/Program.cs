using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

// Usage, from the repository after scripts/publish-midrc.sh (the midrc a site installs):
//        dotnet run -c Release --project src/Midrc.Intake.Bench -- [--slices 500] [--ct-size 512] [--chests 5] [--chest-size 2048] [--parallel 4] [--warm-up 200] [--warm-ups 5] [--midrc PATH]
//        or, for memory over many files: ... -- --files 100000 [--parallel 4] (small CT slices, 1,000 per series, in one submission)
var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
int Setting(string name, int fallback) => settings.GetValue(name, fallback);
// Where midrc submit keeps, in the folder it sends, which submission the folder is sent as.
const string StateFile = ".midrc-submit.json";
var midrc = Path.GetFullPath(settings["midrc"] ?? Path.Combine("artifacts", "midrc", "midrc"));
if (!File.Exists(midrc))
{
    await Console.Error.WriteLineAsync($"{midrc} is missing: run scripts/publish-midrc.sh from the repository first, or pass --midrc PATH.");
    return 2;
}
var work = Directory.CreateTempSubdirectory("midrc-intake-bench-").FullName;
try
{
    Console.WriteLine($"Generating data in {work} ...");
    var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH", CtSize = Setting("ct-size", 512), ChestSize = Setting("chest-size", 2048) });
    var many = Setting("files", 0);
    var sets = many > 0
        ? [($"many small files ({many:N0})", ManySmallFiles(Path.Combine(work, "many"), many))]
        : new[]
        {
            ($"CT series ({Setting("slices", 500)} slices)", (IReadOnlyList<string>)writer.WriteCtSeries(Path.Combine(work, "ct", "series"), Setting("slices", 500), 1).Files),
            ($"chest X-rays ({Setting("chests", 5)})", [.. Enumerable.Range(2, Setting("chests", 5)).Select(p => writer.WriteChestRadiograph(Path.Combine(work, "cxr", $"p{p}"), p).Files[0])]),
        };

    var port = FreePort();
    var server = $"http://127.0.0.1:{port}";
    var dataFolder = Path.Combine(work, "host");
    using var host = Start("Midrc.Orchestrator.dll", work, new Dictionary<string, string>
    {
        ["Midrc__DataFolder"] = dataFolder,
        ["Midrc__SeedDemo"] = "true",
        ["Midrc__PublicUrl"] = server,
        ["Midrc__Jobs__PollInterval"] = "00:00:00.2",
        ["Urls"] = server,
        ["Serilog__MinimumLevel__Default"] = "Warning",
    });
    using var http = new HttpClient { BaseAddress = new Uri(server) };
    await WaitForHealthAsync(http, host);
    var token = await CreateTokenAsync(Path.Combine(dataFolder, "midrc.db"));
    http.DefaultRequestHeaders.Authorization = new("Bearer", token);

    // A server runs for months: its code is compiled for speed and its worker processes are up when a site sends. A
    // few small submissions first bring this fresh host there, so the sets below measure intake, not the JIT: several,
    // because a method is compiled for speed after 30 calls and a request carries many files.
    var warmUp = Path.GetDirectoryName(Path.GetDirectoryName(writer.WriteCtSeries(Path.Combine(work, "warm-up", "series"), Setting("warm-up", 200), 99).Files[0]))!;
    for (var round = 0; round < Setting("warm-ups", 5); round++)
    {
        File.Delete(Path.Combine(warmUp, StateFile));
        await SubmitAsync(warmUp);
    }

    Console.WriteLine();
    Console.WriteLine($"{"set",-28} {"files",6} {"MB",8} {"read+hash MB/s",15} {"submit MB/s",12} {"files/s",8} {"+index MB/s",12} {"files/s",8} {"host peak RSS",14} {"host CPU ms/MB",15} {"client CPU ms/MB",17}");
    var memory = new List<(double Seconds, double Megabytes)>();
    foreach (var (name, files) in sets)
    {
        var folder = Path.GetDirectoryName(Path.GetDirectoryName(files[0]))!;
        var megabytes = files.Sum(f => new FileInfo(f).Length) / 1e6;
        var baseline = Baseline(files);
        var cpuBefore = CpuSeconds(host.Id);
        var clientCpuBefore = ReapedChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        using var sampling = new CancellationTokenSource();
        var sampler = SampleRssAsync(host, clock, memory, sampling.Token);
        var uploaded = await SubmitAsync(folder);
        var indexed = clock.Elapsed.TotalSeconds;
        var hostCpu = CpuSeconds(host.Id) - cpuBefore;
        var clientCpu = ReapedChildrenCpuSeconds() - clientCpuBefore;
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-28} {files.Count,6} {megabytes,8:0.0} {megabytes / baseline,15:0.0} {megabytes / uploaded,12:0.0} {files.Count / uploaded,8:0.0} {megabytes / indexed,12:0.0} {files.Count / indexed,8:0.0} {PeakRssMegabytes(host),11:0} MB {1000 * hostCpu / megabytes,15:0.0} {1000 * clientCpu / megabytes,17:0.0}"));
    }
    Console.WriteLine();
    Console.WriteLine("read+hash: the best of three runs of `cat FILES > /dev/null` and `sha256sum FILES`, timed together (warm cache).");
    Console.WriteLine("submit: the native `midrc submit` end to end (checksums, create, ask what is missing, parallel batches, complete) against the host on loopback, which streams to the quarantine store with SHA-256 + MD5 and parses in 2 worker processes.");
    Console.WriteLine("+index: until the indexing job has stored the index and every finding (status Received).");
    Console.WriteLine("host CPU: user + system time of the host and its worker processes from the start of the upload to +index, per MB received.");
    Console.WriteLine("client CPU: user + system time of the midrc submit process, per MB sent.");
    if (many > 0)
    {
        // Flat memory shows as the same working set early, midway and at the end of a long submission.
        Console.WriteLine();
        Console.WriteLine("host working set (VmRSS) over the submission, sampled every second:");
        foreach (var at in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            var (seconds, megabytes) = memory[(int)Math.Round(at * (memory.Count - 1))];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {at,5:P0} {seconds,8:0} s {megabytes,8:0} MB"));
        }
    }
    host.Kill(entireProcessTree: true);
    await host.WaitForExitAsync();

    // Sends the folder with midrc submit and waits until the host has indexed it; returns the seconds the upload took.
    async Task<double> SubmitAsync(string folder)
    {
        var clock = Stopwatch.StartNew();
        var submit = Run(midrc, work, ["submit", "--server", server, "--token", token, "--parallel", Setting("parallel", 4).ToString(CultureInfo.InvariantCulture), folder]);
        var uploaded = clock.Elapsed.TotalSeconds;
        if (submit.ExitCode != 0)
        {
            throw new InvalidOperationException($"midrc submit failed ({submit.ExitCode}): {submit.Output}");
        }
        var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, StateFile)));
        var id = state.RootElement.GetProperty("Submissions").EnumerateObject().Single().Value.GetString();
        await WaitUntilReceivedAsync(http, id!);
        return uploaded;
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}
return 0;

static List<string> ManySmallFiles(string folder, int count)
{
    var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH", CtSize = 16 });
    const int PerSeries = 1000;
    return [.. Enumerable.Range(0, (count + PerSeries - 1) / PerSeries)
        .SelectMany(s => writer.WriteCtSeries(Path.Combine(folder, $"series{s + 1}"), Math.Min(PerSeries, count - s * PerSeries), s + 1).Files)];
}

static async Task SampleRssAsync(Process host, Stopwatch clock, List<(double Seconds, double Megabytes)> samples, CancellationToken cancellationToken)
{
    try
    {
        while (true)
        {
            samples.Add((clock.Elapsed.TotalSeconds, RssMegabytes(host, "VmRSS:")));
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
    catch (OperationCanceledException)
    {
        samples.Add((clock.Elapsed.TotalSeconds, RssMegabytes(host, "VmRSS:")));
    }
}

static double Baseline(IReadOnlyList<string> files)
{
    // The paths go through a list file: 100,000 of them do not fit on one command line.
    var list = Path.GetTempFileName();
    File.WriteAllText(list, string.Join('\0', files));
    try
    {
        var best = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            var clock = Stopwatch.StartNew();
            Run("/bin/sh", "/", ["-c", "xargs -0 -a \"$1\" cat > /dev/null && xargs -0 -a \"$1\" sha256sum > /dev/null", "sh", list]);
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
    finally
    {
        File.Delete(list);
    }
}

static Process Start(string assembly, string workingDirectory, IReadOnlyDictionary<string, string> environment)
{
    var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
    foreach (var (key, value) in environment)
    {
        start.Environment[key] = value;
    }
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine(e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static (int ExitCode, string Output) Run(string program, string workingDirectory, IEnumerable<string> args)
{
    var dotnet = program.EndsWith(".dll", StringComparison.Ordinal);
    var start = new ProcessStartInfo(dotnet ? "dotnet" : program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
    if (dotnet)
    {
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, program));
    }
    foreach (var a in args)
    {
        start.ArgumentList.Add(a);
    }
    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEndAsync();
    var output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return (process.ExitCode, output + error.Result);
}

static async Task WaitForHealthAsync(HttpClient http, Process host)
{
    for (var i = 0; i < 600; i++)
    {
        if (host.HasExited)
        {
            throw new InvalidOperationException($"The orchestrator exited with code {host.ExitCode}.");
        }
        try
        {
            using var health = await http.GetAsync("/health");
            if (health.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (HttpRequestException)
        {
            // Still starting.
        }
        await Task.Delay(200);
    }
    throw new TimeoutException("The orchestrator did not become healthy within 2 minutes.");
}

static async Task<string> CreateTokenAsync(string database)
{
    var options = DatabaseProviders.Configure(new DbContextOptionsBuilder<SqliteMidrcDbContext>(), DatabaseProvider.Sqlite, $"Data Source={database}").Options;
    await using var db = new SqliteMidrcDbContext(options);
    var issued = await new ApiTokens(db, new AuditTrail(db, TimeProvider.System), TimeProvider.System).CreateAsync("UCH", "intake benchmark", "bench", CancellationToken.None);
    return issued.Token;
}

static async Task WaitUntilReceivedAsync(HttpClient http, string id)
{
    while (true)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync($"/api/submissions/{id}"));
        // Indexing may hand the submission to its workflow before a poll sees Received: any later status counts too.
        if (document.RootElement.GetProperty("status").GetString() is not ("Receiving" or "Analyzing"))
        {
            return;
        }
        await Task.Delay(50);
    }
}

// CPU seconds of a process and its children (the host's curation workers): its own user + system time.
static double CpuSeconds(int pid)
{
    var children = Directory.EnumerateDirectories($"/proc/{pid}/task")
        .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Sum(child => File.Exists($"/proc/{child}/stat") ? CpuSeconds(int.Parse(child, CultureInfo.InvariantCulture)) : 0);
    return StatSeconds(pid.ToString(CultureInfo.InvariantCulture), 11) + children;
}

// CPU seconds of this process's children that have exited and been waited for: here, the midrc submit processes.
static double ReapedChildrenCpuSeconds() => StatSeconds("self", 13);

// Two adjacent time fields of /proc/PROCESS/stat (user, then system), counted after the command name, in 1/100 s.
static double StatSeconds(string process, int field)
{
    var fields = File.ReadAllText($"/proc/{process}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[field], CultureInfo.InvariantCulture) + long.Parse(fields[field + 1], CultureInfo.InvariantCulture)) / 100.0;
}

static double PeakRssMegabytes(Process process) => RssMegabytes(process, "VmHWM:");

static double RssMegabytes(Process process, string field) =>
    File.ReadLines($"/proc/{process.Id}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
        .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).Single();

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
