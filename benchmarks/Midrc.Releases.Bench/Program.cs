using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;
using Npgsql;

// Usage: dotnet run -c Release --project benchmarks/Midrc.Releases.Bench -- [exams] [objects]
// Seeds a program whose exams are accepted (one CT series each, objects of about 3 KB: a real DICOM file cloned with a
// unique SOP Instance UID per object) into a database and a quarantine store, then builds release 1 step by step and
// runs the naive peer (cp, sha256sum, md5sum) over the same objects. PostgreSQL is measured too when MIDRC_TEST_POSTGRES
// names a server. Memory is sampled in this process; the two GDCM worker processes that re-read objects are not counted.
var exams = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3_000;
var objects = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30_000;
var targets = new List<(DatabaseProvider Provider, Func<string, string> ConnectionString)> { (DatabaseProvider.Sqlite, _ => "") };
if (Environment.GetEnvironmentVariable("MIDRC_TEST_POSTGRES") is { Length: > 0 } server)
{
    targets.Add((DatabaseProvider.PostgreSql, _ =>
    {
        var name = $"midrc_bench_{Guid.NewGuid():N}";
        using var connection = new NpgsqlConnection(server);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        create.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }));
}

Console.WriteLine($"{exams:N0} exams, {objects:N0} objects");
foreach (var (provider, connectionString) in targets)
{
    var folder = Directory.CreateTempSubdirectory("midrc-release-bench-").FullName;
    try
    {
        using var host = Build(provider, connectionString(folder), folder);
        await host.Services.MigrateDatabaseAsync(CancellationToken.None);
        var seeding = Stopwatch.StartNew();
        var (programId, bytes) = await SeedAsync(host.Services, exams, objects);
        Console.WriteLine($"{provider}: seeded in {seeding.Elapsed.TotalSeconds:F1} s ({bytes / 1024.0 / 1024.0:F0} MiB of objects)");

        using var memory = new MemorySampler();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var builder = scope.ServiceProvider.GetRequiredService<ReleaseBuilder>();
        var leases = scope.ServiceProvider.GetRequiredService<ReleaseLeases>();
        var release = new Release { ProgramId = programId, Number = 1, Title = "Release 1", State = ReleaseState.Frozen };
        db.Releases.Add(release);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        await leases.AcquireAsync(programId, CancellationToken.None);

        var steps = new List<(string Step, TimeSpan Elapsed)>
        {
            ("collect", await Time("collect", objects, memory, () => builder.CollectAsync(release, CancellationToken.None))),
            ("stage", await Time("stage", objects, memory, () => builder.StageAsync(release, CancellationToken.None))),
            ("verify", await Time("verify", objects, memory, async () =>
            {
                if (await builder.VerifyAsync(release, CancellationToken.None) is { } failure)
                {
                    throw new InvalidOperationException(failure);
                }
            })),
            ("publish", await Time("publish", objects, memory, async () =>
            {
                builder.Publish(release);
                await scope.ServiceProvider.GetRequiredService<ReleaseNotifier>().PublishedAsync(release, CancellationToken.None);
            })),
        };
        var total = steps.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Elapsed);
        // The package is not needed any more, and the peer's copy needs the room.
        Directory.Delete(builder.ReleasesFolder, recursive: true);
        var peer = Peer(Path.Combine(folder, "quarantine"), Path.Combine(folder, "peer"));
        Console.WriteLine($"  {"release",-8} {total.TotalSeconds,8:F1} s {objects / total.TotalSeconds,10:N0} objects/s   peak working set {memory.PeakWorkingSet / 1048576.0:F0} MiB, peak managed heap {memory.PeakManagedHeap / 1048576.0:F0} MiB");
        foreach (var (step, elapsed) in peer)
        {
            Console.WriteLine($"  peer {step,-10} {elapsed.TotalSeconds,6:F1} s");
        }

        var peerTotal = peer.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Elapsed);
        Console.WriteLine($"  peer total {peerTotal.TotalSeconds,8:F1} s {objects / peerTotal.TotalSeconds,10:N0} objects/s; the release takes {total / peerTotal:F1}x the peer's time");
    }
    finally
    {
        Directory.Delete(folder, recursive: true);
    }
}

return 0;

static IHost Build(DatabaseProvider provider, string connectionString, string folder)
{
    var builder = WorkflowsExtensions.CreateRuntimeBuilder(Environments.Production, new Dictionary<string, string?>
    {
        ["Midrc:DataFolder"] = folder,
        ["Midrc:Database:Provider"] = provider.ToString(),
        ["Midrc:Database:ConnectionString"] = connectionString,
        // The workers re-reading objects run the orchestrator's own assembly, which the build copies here.
        ["Midrc:Intake:WorkerAssembly"] = Path.Combine(AppContext.BaseDirectory, "Midrc.Orchestrator.dll"),
    });
    builder.AddStorage();
    builder.AddSubmissions();
    builder.Services.AddReleaseServices();
    // The release emails go to the outbox, whose sender job is only recorded here.
    builder.Services.AddSingleton<JobStorage>(new InMemoryStorage());
    builder.Services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
    return builder.Build();
}

// Exams of one CT series each, spread over four sites, every object accepted; returns the program and the bytes stored.
static async Task<(Guid ProgramId, long Bytes)> SeedAsync(IServiceProvider services, int exams, int objects)
{
    var template = Directory.CreateTempSubdirectory("midrc-release-bench-dicom-");
    var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "BEN", CtSize = 32 });
    var original = await File.ReadAllBytesAsync(writer.WriteCtSeries(template.FullName, 1).Files[0]);
    template.Delete(recursive: true);
    var sop = SopInstanceUid(original);

    await using var scope = services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
    var store = scope.ServiceProvider.GetRequiredService<IQuarantineStore>();
    var at = new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    var program = new CollectionProgram { Code = "BENCH", Name = "Benchmark program" };
    var sites = Enumerable.Range(1, 4).Select(n => new Site { Program = program, Code = $"S{n}", Name = $"Site {n}", Institution = "Bench", Country = "US", TimeZone = "America/Chicago", Stage = SiteStage.Active }).ToList();
    db.AddRange(sites);
    var submissions = sites.Select(s => new Submission { Site = s, Channel = SubmissionChannel.Cli, Status = SubmissionStatus.Accepted, SubmittedBy = "bench", StartedAt = at }).ToList();
    db.AddRange(submissions);
    await db.SaveChangesAsync();
    db.ChangeTracker.Clear();

    long bytes = 0;
    var next = 0;
    var pending = new List<(byte[] Content, string Sha256)>();
    for (var exam = 0; exam < exams; exam++)
    {
        var site = exam % sites.Count;
        var study = new Study { SiteId = sites[site].Id, StudyInstanceUid = $"1.2.826.0.1.3680043.10.1{exam:D8}", PatientPseudonym = $"{sites[site].Code}-{exam / 2:D6}" };
        var series = new Series { Study = study, SeriesInstanceUid = $"{study.StudyInstanceUid}.1", Modality = "CT", BodyPart = "CHEST" };
        db.Add(series);
        var count = objects / exams + (exam < objects % exams ? 1 : 0);
        for (var i = 0; i < count; i++)
        {
            // A unique SOP Instance UID of the template's length, written into a copy of the template's bytes.
            var uid = sop.Value[..^10] + "1" + (next++).ToString("D9", CultureInfo.InvariantCulture);
            var content = (byte[])original.Clone();
            Encoding.ASCII.GetBytes(uid).CopyTo(content, sop.Offset);
            var stored = Describe(content, at);
            pending.Add((content, stored.Sha256));
            bytes += stored.SizeBytes;
            db.StoredObjects.Add(stored);
            var instance = new Instance
            {
                Series = series, SubmissionId = submissions[site].Id, SopInstanceUid = uid, SopClassUid = "1.2.840.10008.5.1.4.1.1.2",
                Sha256 = stored.Sha256, QuarantineState = QuarantineState.Verified, ReceivedAt = at,
            };
            db.Instances.Add(instance);
            db.DeidentificationReports.Add(new DeidentificationReport { InstanceId = instance.Id, Outcome = DeidentificationOutcome.Passed, Profile = "midrc", CheckedAt = at });
        }

        if (exam % 100 == 99 || exam == exams - 1)
        {
            // The objects are written where the quarantine store keeps them, without its per-object flush to disk:
            // seeding is not what is measured, and flushing millions of objects would take longer than the release.
            Parallel.ForEach(pending, o =>
            {
                var path = store.PathOf(o.Sha256);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, o.Content);
            });
            pending.Clear();
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            if ((exam + 1) % Math.Max(100, exams / 1000 * 100) == 0)
            {
                Console.WriteLine($"  seeded {exam + 1:N0} exams, {next:N0} objects");
            }
        }
    }

    return (program.Id, bytes);
}

// The stored-object row of an object's bytes.
static StoredObject Describe(byte[] content, DateTimeOffset at)
{
    var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
#pragma warning disable CA5351 // Data commons manifests carry MD5; it protects nothing.
    var md5 = Convert.ToHexStringLower(MD5.HashData(content));
#pragma warning restore CA5351
    return new StoredObject
    {
        Sha256 = sha256, Md5 = md5, SizeBytes = content.Length, StorageKey = Path.Combine(sha256[..2], sha256[2..4], sha256), StoredAt = at,
    };
}

// Where the SOP Instance UID (0008,0018, explicit VR little endian) is in a file, and its value.
static (int Offset, string Value) SopInstanceUid(byte[] file)
{
    ReadOnlySpan<byte> tag = [0x08, 0x00, 0x18, 0x00, (byte)'U', (byte)'I'];
    var at = file.AsSpan().IndexOf(tag);
    var length = file[at + 6] | (file[at + 7] << 8);
    var value = Encoding.ASCII.GetString(file, at + 8, length).TrimEnd('\0');
    return (at + 8, value);
}

// Runs a build step and prints its figures as soon as it ends, so a long run shows its progress.
static async Task<TimeSpan> Time(string step, int objects, MemorySampler memory, Func<Task> action)
{
    var watch = Stopwatch.StartNew();
    await action();
    Console.WriteLine($"  {step,-8} {watch.Elapsed.TotalSeconds,8:F1} s {objects / watch.Elapsed.TotalSeconds,10:N0} objects/s   peak working set so far {memory.PeakWorkingSet / 1048576.0:F0} MiB");
    return watch.Elapsed;
}

// What a person would do by hand: copy the objects, then hash them with the standard tools.
static List<(string Step, TimeSpan Elapsed)> Peer(string source, string target) =>
[
    ("cp", Run("cp", "-r", source, target)),
    ("sha256sum", Run("sh", "-c", $"find '{target}' -type f -print0 | xargs -0 sha256sum > /dev/null")),
    ("md5sum", Run("sh", "-c", $"find '{target}' -type f -print0 | xargs -0 md5sum > /dev/null")),
];

static TimeSpan Run(string command, params string[] arguments)
{
    var watch = Stopwatch.StartNew();
    using var process = Process.Start(new ProcessStartInfo(command, arguments))!;
    process.WaitForExit();
    return process.ExitCode == 0 ? watch.Elapsed : throw new InvalidOperationException($"{command} exited with {process.ExitCode}.");
}

/// <summary>Samples this process's working set and managed heap every 50 ms while a release is built.</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Timer _timer;

    public MemorySampler()
    {
        _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
    }

    public long PeakWorkingSet { get; private set; }

    public long PeakManagedHeap { get; private set; }

    private void Sample()
    {
        using var process = Process.GetCurrentProcess();
        PeakWorkingSet = Math.Max(PeakWorkingSet, process.WorkingSet64);
        PeakManagedHeap = Math.Max(PeakManagedHeap, GC.GetTotalMemory(forceFullCollection: false));
    }

    public void Dispose()
    {
        _timer.Dispose();
        Sample();
    }
}
