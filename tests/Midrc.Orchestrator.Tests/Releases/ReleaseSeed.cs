using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>
/// The data folder (SQLite database and quarantine store) the release tests start from: the demo program, whose
/// release 1 is published and release 2 open, plus what release 2 takes. MUC's exams are accepted (a program manager
/// waived their count finding), one UCH case is withdrawn, and one released UCH radiograph is corrected: its SOP
/// instance accepted again with other pixel bytes. Built once per test run; every test works on its own copy.
/// </summary>
public static class ReleaseSeed
{
    /// <summary>The settings every release test runs with (a host process takes them as environment variables).</summary>
    public static IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Midrc:Releases:RequireApproval"] = "false",
        ["Midrc:Releases:SequesteredFraction"] = "0.3",
        ["Midrc:Releases:BatchSize"] = "5",
        ["Midrc:Releases:LeaseDuration"] = "00:00:03",
    };

    public const string WithdrawnReason = "Consent withdrawn by the patient";

    private static readonly Lazy<Task<string>> Template = new(CreateAsync);

    /// <summary>A copy of the seeded data folder in <paramref name="target"/>.</summary>
    public static async Task CopyToAsync(string target) => CopyFolder(await Template.Value, target);

    /// <summary>Copies a data folder whose database was checkpointed (SQLite's shared-memory index is per process).</summary>
    private static void CopyFolder(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }
    }

    /// <summary>The seeded database of a data folder (SQLite, where the host keeps it by default).</summary>
    public static MidrcDbContext OpenDb(string dataFolder) => TestDatabases.Open(DatabaseProvider.Sqlite, $"Data Source={Path.Combine(dataFolder, "midrc.db")}");

    /// <summary>In-process settings for an <see cref="OrchestratorFactory"/> on a seeded copy: the release settings, no job server.</summary>
    public static Dictionary<string, string?> FactorySettings(string dataFolder)
    {
        var settings = Settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        settings["Midrc:DataFolder"] = dataFolder;
        settings["Midrc:Database:ConnectionString"] = "";
        settings["Midrc:Jobs:RunServer"] = "false";
        return settings;
    }

    /// <summary>
    /// Freezes the current release as the schedule would and runs its jobs, as Hangfire would, until none is left;
    /// <paramref name="afterJob"/> sees the release after each job.
    /// </summary>
    public static async Task<Release> BuildCurrentAsync(IServiceProvider services, Action<Release>? afterJob = null)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var calendar = scope.ServiceProvider.GetRequiredService<ReleaseCalendar>();
        var release = await calendar.EnsureCurrentAsync(await db.Programs.Select(p => p.Id).SingleAsync(), CancellationToken.None);
        var instance = await calendar.InstanceOfAsync(release.Id, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>().FireAsync(new FireRequest(instance, "freeze", Actor.System, $"test:freeze:{release.Id:N}"), CancellationToken.None);
        while (await db.WorkflowJobIntents.Where(i => i.InstanceId == instance && i.Status == WorkflowJobStatus.Pending).Select(i => (Guid?)i.Id).FirstOrDefaultAsync() is { } intent)
        {
            await using var job = services.CreateAsyncScope();
            await job.ServiceProvider.GetRequiredService<WorkflowJobRunner>().RunAsync(intent, CancellationToken.None);
            afterJob?.Invoke(await db.Releases.AsNoTracking().SingleAsync(r => r.Id == release.Id));
        }

        return await db.Releases.AsNoTracking().SingleAsync(r => r.Id == release.Id);
    }

    /// <summary>A host of <paramref name="provider"/> with the demo program seeded and release 2 prepared; no job server.</summary>
    public static async Task<OrchestratorFactory> SeededHostAsync(DatabaseProvider provider)
    {
        var settings = Settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        settings["Midrc:SeedDemo"] = "true";
        settings["Midrc:Jobs:RunServer"] = "false";
        var factory = new OrchestratorFactory(provider, settings);
        factory.CreateClient().Dispose();
        await PrepareSecondReleaseAsync(factory.Services);
        return factory;
    }

    private static async Task<string> CreateAsync()
    {
        await using var factory = await SeededHostAsync(DatabaseProvider.Sqlite);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<MidrcDbContext>().Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var template = Directory.CreateTempSubdirectory("midrc-release-seed-").FullName;
        CopyFolder(factory.DataFolder, template);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(template, recursive: true);
        return template;
    }

    private static async Task PrepareSecondReleaseAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<IQuarantineStore>();
        var at = new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

        var muc = await db.Sites.SingleAsync(s => s.Code == "MUC");
        await db.Instances.Where(i => i.Series!.Study!.SiteId == muc.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.QuarantineState, QuarantineState.Verified));
        await db.Submissions.Where(s => s.SiteId == muc.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, SubmissionStatus.Accepted));

        var released = await db.ReleaseItems.AsNoTracking().Where(i => i.SiteCode == "UCH" && i.Modality != "CT").OrderBy(i => i.CaseId).ThenBy(i => i.SopInstanceUid).ToListAsync();
        var withdrawn = released[0];
        db.Withdrawals.Add(new Withdrawal { SiteId = withdrawn.SiteId, CaseId = withdrawn.CaseId, Reason = WithdrawnReason, RecordedBy = "pm@midrc.example", RecordedAt = at });

        var corrected = released.First(i => i.CaseId != withdrawn.CaseId);
        var original = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == corrected.InstanceId);
        var bytes = await File.ReadAllBytesAsync(store.PathOf(original.Sha256));
        // The last byte is pixel data: the corrected file is still a valid, de-identified radiograph of the same SOP instance.
        bytes[^1] ^= 0xFF;
        var stored = await store.PutAsync(new MemoryStream(bytes), CancellationToken.None);
        db.StoredObjects.Add(new StoredObject { Sha256 = stored.Sha256, Md5 = stored.Md5, SizeBytes = stored.SizeBytes, StorageKey = stored.StorageKey, StoredAt = at });
        var submission = new Submission { SiteId = corrected.SiteId, Channel = SubmissionChannel.Demo, Status = SubmissionStatus.Accepted, SubmittedBy = "coordinator@uch.example", StartedAt = at, CompletedAt = at };
        db.Submissions.Add(submission);
        var instance = new Instance
        {
            SeriesId = original.SeriesId,
            SubmissionId = submission.Id,
            SopInstanceUid = original.SopInstanceUid,
            SopClassUid = original.SopClassUid,
            TransferSyntaxUid = original.TransferSyntaxUid,
            Sha256 = stored.Sha256,
            OriginalName = original.OriginalName,
            QuarantineState = QuarantineState.Verified,
            ReceivedAt = at,
        };
        db.Instances.Add(instance);
        db.DeidentificationReports.Add(new DeidentificationReport { InstanceId = instance.Id, Outcome = DeidentificationOutcome.Passed, Profile = "midrc", CheckedAt = at });
        await db.SaveChangesAsync();
    }
}

/// <summary>
/// Runs alone, like <c>DemoHostCollection</c>: the seed builds its template in an in-process host, and Hangfire's log
/// provider is process-wide (the last host started), so another test's host stopping meanwhile would leave it logging
/// into a disposed logger factory. Each host's queue and activator are its own (JobsTests).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReleaseSeedCollection
{
    public const string Name = "release seed";
}
