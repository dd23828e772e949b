using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Data;

/// <summary>The model on real databases: SQLite (the embedded default) and PostgreSQL (shared by several nodes).</summary>
public sealed class PersistenceTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_submission_with_its_studies_and_instances_round_trips(DatabaseProvider provider)
    {
        await using var db = await TestDatabases.CreateMigratedAsync(provider, _folder.Path);
        var site = NewSite(db, "OSL");
        var submission = new Submission { SiteId = site.Id, Channel = SubmissionChannel.Cli, StartedAt = T0, SubmittedBy = "coordinator@osl.example" };
        var stored = new StoredObject { Sha256 = new string('a', 64), Md5 = new string('b', 32), SizeBytes = 1234, StorageKey = "aa/aa/x", StoredAt = T0 };
        var study = new Study { SiteId = site.Id, StudyInstanceUid = "2.25.1", PatientPseudonym = "OSL-0001" };
        var series = new Series { Study = study, SeriesInstanceUid = "2.25.2", Modality = "CT", BodyPart = "CHEST" };
        db.AddRange(submission, stored, study, series,
            new Instance { Series = series, SubmissionId = submission.Id, SopInstanceUid = "2.25.3", SopClassUid = "1.2.840.10008.5.1.4.1.1.2", Sha256 = stored.Sha256, ReceivedAt = T0.AddMinutes(1) });
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();

        var loaded = await db.Instances.Include(i => i.Series!).ThenInclude(s => s.Study).Include(i => i.Stored).SingleAsync();
        loaded.Series!.Study!.PatientPseudonym.ShouldBe("OSL-0001");
        loaded.Stored!.SizeBytes.ShouldBe(1234);
        loaded.QuarantineState.ShouldBe(QuarantineState.Quarantined);
        (await db.Instances.Where(i => i.ReceivedAt > T0).CountAsync()).ShouldBe(1, "times compare in queries on every provider");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_second_of_two_writers_on_one_site_gets_a_conflict(DatabaseProvider provider)
    {
        await using var first = await TestDatabases.CreateMigratedAsync(provider, _folder.Path);
        var site = NewSite(first, "NYC");
        await first.SaveChangesAsync();
        await using var second = TestDatabases.Open(provider, first.Database.GetConnectionString()!);
        var mine = await first.Sites.SingleAsync();
        var theirs = await second.Sites.SingleAsync();

        mine.Stage = SiteStage.Onboarding;
        await first.SaveChangesAsync();
        theirs.Stage = SiteStage.Paused;

        await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        first.ChangeTracker.Clear();
        (await first.Sites.SingleAsync()).Stage.ShouldBe(SiteStage.Onboarding);
        (await first.Sites.SingleAsync()).Version.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Audit_events_cannot_be_changed_or_deleted(DatabaseProvider provider)
    {
        await using var db = await TestDatabases.CreateMigratedAsync(provider, _folder.Path);
        var trail = new AuditTrail(db, TimeProvider.System);
        trail.Record("pm@program.example", "site.invited", "Site", "x");
        await db.SaveChangesAsync();

        var saved = await db.AuditEvents.SingleAsync();
        db.Remove(saved);
        var error = await Should.ThrowAsync<InvalidOperationException>(() => db.SaveChangesAsync());
        error.Message.ShouldContain("append-only");
        db.ChangeTracker.Clear();
        (await db.AuditEvents.CountAsync()).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_transition_key_is_recorded_once(DatabaseProvider provider)
    {
        await using var db = await TestDatabases.CreateMigratedAsync(provider, _folder.Path);
        var instance = new WorkflowInstance { DefinitionId = "site-onboarding", DefinitionVersion = 1, SubjectType = "site", SubjectId = Guid.NewGuid(), State = "invited", CreatedAt = T0, UpdatedAt = T0 };
        db.WorkflowInstances.Add(instance);
        db.WorkflowJournal.Add(Entry(instance.Id, "k-1"));
        await db.SaveChangesAsync();

        await using var other = TestDatabases.Open(provider, db.Database.GetConnectionString()!);
        other.WorkflowJournal.Add(Entry(instance.Id, "k-1"));
        await Should.ThrowAsync<DbUpdateException>(() => other.SaveChangesAsync());
        (await db.WorkflowJournal.CountAsync()).ShouldBe(1);
    }

    private static WorkflowJournalEntry Entry(Guid instanceId, string key) => new()
    {
        InstanceId = instanceId, At = T0, Actor = "system", FromState = "invited", ToState = "dua-signed", Trigger = "sign-dua", IdempotencyKey = key,
    };

    private static Site NewSite(MidrcDbContext db, string code)
    {
        var program = new CollectionProgram { Code = $"P-{code}", Name = "Test program", CreatedAt = T0 };
        var site = new Site { ProgramId = program.Id, Code = code, Name = code, Institution = code, Country = "NO", TimeZone = "Europe/Oslo", CreatedAt = T0, StageChangedAt = T0 };
        db.AddRange(program, site);
        return site;
    }
}
