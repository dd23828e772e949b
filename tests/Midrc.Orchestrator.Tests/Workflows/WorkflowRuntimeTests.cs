using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Curation.Findings;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Tests.Workflows;

/// <summary>The durable runtime on real databases, with a clock the test moves and jobs the test runs.</summary>
public sealed class WorkflowRuntimeTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_site_runs_from_invitation_to_active(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);
        site.State.ShouldBe("invited");
        (await db.Sites.AsNoTracking().SingleAsync(s => s.Id == program.Site.Id)).Stage.ShouldBe(SiteStage.Invited, "the site's stage follows its workflow");

        (await host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager)).Outcome.ShouldBe(FireOutcome.Fired);
        var waiting = await host.FireAsync(site.Id, "confirm-coordinators", program.Coordinator);
        waiting.Outcome.ShouldBe(FireOutcome.NotPossible);
        waiting.Message.ShouldBe("Waiting for at least one site coordinator to register");
        (await host.FireAsync(site.Id, "confirm-coordinators", program.Coordinator, data: new Dictionary<string, string> { ["coordinators"] = "1" })).Outcome.ShouldBe(FireOutcome.Fired);
        await TestTransfers.ReceiveAsync(db, program.Site.Id, deidPassed: true, openErrors: 0);
        (await host.FireAsync(site.Id, "receive-test-transfer", program.Coordinator)).State.ShouldBe("checking-test-transfer");
        (await host.RunPendingJobsAsync()).ShouldBe(2, "QA checks and de-identification verification");

        db.ChangeTracker.Clear();
        var done = await db.WorkflowInstances.SingleAsync(i => i.Id == site.Id);
        done.State.ShouldBe("active");
        done.IsFinished.ShouldBeTrue();
        var activeSite = await db.Sites.SingleAsync(s => s.Id == program.Site.Id);
        activeSite.Stage.ShouldBe(SiteStage.Active);
        activeSite.StageChangedAt.ShouldBe(host.Clock.GetUtcNow());
        (await db.WorkflowJournal.Where(j => j.InstanceId == site.Id).OrderBy(j => j.At).ThenBy(j => j.Id).Select(j => j.Summary).ToListAsync()).ShouldBe(
        [
            "Started", "Data use agreement signed", "Coordinators registered", "Test transfer received", "Test transfer passed; site activated",
        ]);
        (await db.Outbox.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Select(m => m.Template).ToListAsync()).ShouldBe(
            ["site-invitation", "registration-requested", "test-transfer-requested", "site-activated"]);
        var activated = await db.Outbox.SingleAsync(m => m.Template == "site-activated");
        activated.ToAddress.ShouldBe(SeededProgram.CoordinatorEmail);
        activated.TextBody.ShouldContain("Dear Dana Ruiz,");
        activated.Subject.ShouldContain("Riverside University Hospital");
        (await db.WorkflowTimers.CountAsync(t => t.InstanceId == site.Id && t.Status == TimerStatus.Pending)).ShouldBe(0, "leaving onboarding cancels every stage timer");
        (await db.AuditEvents.CountAsync(a => a.Action == "workflow.transition")).ShouldBe(4);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_submission_goes_through_the_fix_loop_to_accepted(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var submission = await TestTransfers.ReceiveAsync(db, program.Site.Id, deidPassed: true, openErrors: 1);
        var flow = await host.StartAsync("submission", submission.Id, program.Site.Id);

        (await host.FireAsync(flow.Id, "start-qa", Actor.System)).State.ShouldBe("qa-running");
        await host.RunPendingJobsAsync();
        db.ChangeTracker.Clear();
        (await db.WorkflowInstances.SingleAsync(i => i.Id == flow.Id)).State.ShouldBe("awaiting-fixes");
        (await db.Submissions.SingleAsync(s => s.Id == submission.Id)).Status.ShouldBe(SubmissionStatus.AwaitingFixes);
        (await db.WorkflowInstances.SingleAsync(i => i.Id == flow.Id)).DeadlinesJson.ShouldContain("fixes-due");
        (await db.WorkflowTimers.CountAsync(t => t.InstanceId == flow.Id && t.Status == TimerStatus.Pending)).ShouldBe(2);

        await db.Findings.ExecuteUpdateAsync(s => s.SetProperty(f => f.Status, FindingStatus.Fixed));
        host.Clock.Advance(TimeSpan.FromDays(2));
        (await host.FireAsync(flow.Id, "resubmit", program.Coordinator)).State.ShouldBe("resubmitted");
        await host.RunPendingJobsAsync();

        db.ChangeTracker.Clear();
        var accepted = await db.WorkflowInstances.SingleAsync(i => i.Id == flow.Id);
        accepted.State.ShouldBe("accepted");
        (await db.Submissions.SingleAsync(s => s.Id == submission.Id)).Status.ShouldBe(SubmissionStatus.Accepted);
        accepted.DeadlinesJson.ShouldBe("{}");
        (await db.WorkflowTimers.Where(t => t.InstanceId == flow.Id).Select(t => t.Status).ToListAsync()).ShouldAllBe(s => s == TimerStatus.Cancelled);
        (await db.WorkflowJournal.Where(j => j.InstanceId == flow.Id).OrderBy(j => j.At).ThenBy(j => j.Id).Select(j => j.ToState).ToListAsync()).ShouldBe(
            ["received", "qa-running", "awaiting-fixes", "resubmitted", "deid-verification", "accepted"]);
        (await db.Outbox.Select(m => m.Template).ToListAsync()).ShouldBe(["fixes-needed", "submission-accepted"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Reminders_and_escalations_fire_exactly_once(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);

        host.Clock.Advance(TimeSpan.FromDays(6));
        (await host.RunTimersAsync()).ShouldBe(0, "nothing is due before 7 days");
        host.Clock.Advance(TimeSpan.FromDays(9));
        (await host.RunTimersAsync()).ShouldBe(2);
        (await host.RunTimersAsync()).ShouldBe(0);

        (await db.WorkflowJournal.Where(j => j.InstanceId == site.Id).Select(j => j.Trigger).ToListAsync()).ShouldBe(["start", "remind-site", "escalate"], ignoreOrder: true);
        (await db.Outbox.CountAsync(m => m.Template == "stage-reminder" && m.ToAddress == SeededProgram.CoordinatorEmail)).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Template == "escalation" && m.ToAddress == SeededProgram.ProgramManagerEmail)).ShouldBe(1);
        (await db.WorkflowTimers.Where(t => t.InstanceId == site.Id).Select(t => t.Status).ToListAsync()).ShouldAllBe(s => s == TimerStatus.Fired);
        (await db.WorkflowInstances.SingleAsync(i => i.Id == site.Id)).State.ShouldBe("invited", "reminders do not move the site");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_repeating_timer_fires_its_repeats_once_each_and_a_schedule_rearms_itself(DatabaseProvider provider)
    {
        // No shipped definition has a cron schedule (releases freeze on Midrc:Releases:Schedule); the library's test one does.
        var definitions = WithTestDefinition("scheduled-release");
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path, services => services.AddSingleton(definitions));
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var release = await host.StartAsync("scheduled-release", Guid.NewGuid(), null);
        var schedule = await db.WorkflowTimers.SingleAsync(t => t.InstanceId == release.Id);
        schedule.Name.ShouldBe("schedule/0/freeze");
        schedule.DueAt.ShouldBe(new DateTimeOffset(2026, 3, 17, 14, 0, 0, TimeSpan.FromHours(-5)), "the third Tuesday of March, 14:00 in Chicago");
        (await host.FireAsync(release.Id, "freeze", program.ProgramManager)).State.ShouldBe("frozen");
        (await host.FireAsync(release.Id, "verification-finished", Actor.System, data: new Dictionary<string, string> { ["release-verification"] = "passed" })).State.ShouldBe("verified");

        host.Clock.Advance(TimeSpan.FromDays(30));
        var first = await host.RunTimersAsync();
        var second = await host.RunTimersAsync();

        first.ShouldBe(4, "the approval reminder and its three repeats; the schedule's freeze is not possible once verified");
        second.ShouldBe(0);
        (await db.WorkflowJournal.CountAsync(j => j.InstanceId == release.Id && j.Trigger == "remind-approval")).ShouldBe(4);
        (await db.Outbox.CountAsync(m => m.Template == "release-awaiting-approval")).ShouldBe(4);
        var next = await db.WorkflowTimers.SingleAsync(t => t.InstanceId == release.Id && t.Status == TimerStatus.Pending);
        next.Name.ShouldBe("schedule/0/freeze");
        next.DueAt.ShouldBe(new DateTimeOffset(2026, 4, 21, 14, 0, 0, TimeSpan.FromHours(-5)));
    }

    /// <summary>The shipped definitions and templates plus one of the workflow library's test definitions, validated as the host loads them.</summary>
    private WorkflowDefinitions WithTestDefinition(string id)
    {
        var shipped = WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)!;
        var folder = Path.Combine(_folder.Path, "workflows");
        foreach (var file in Directory.GetFiles(shipped, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(folder, Path.GetRelativePath(shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        File.Copy(Path.Combine(AppContext.BaseDirectory, "TestDefinitions", id + ".yaml"), Path.Combine(folder, id + ".yaml"));
        return WorkflowDefinitions.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [WorkflowDefinitions.FolderSetting] = folder }).Build());
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Starting_a_workflow_twice_for_one_subject_keeps_the_first_instance(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);

        var first = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);
        var again = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);

        again.Id.ShouldBe(first.Id);
        (await db.WorkflowInstances.CountAsync()).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Template == "site-invitation")).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_replay_with_the_same_key_returns_the_original_result_and_does_nothing_new(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);

        var first = await host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: "click-1");
        var again = await host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: "click-1");
        var misused = await host.FireAsync(site.Id, "withdraw-site", program.ProgramManager, key: "click-1");

        first.Outcome.ShouldBe(FireOutcome.Fired);
        again.Outcome.ShouldBe(FireOutcome.Replayed);
        again.State.ShouldBe("dua-signed");
        again.JournalEntryId.ShouldBe(first.JournalEntryId);
        misused.Outcome.ShouldBe(FireOutcome.Conflict, "a key names one action; reusing it for another is refused, not replayed");
        (await db.WorkflowJournal.CountAsync(j => j.Trigger == "record-signed-agreement")).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Template == "registration-requested")).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_crash_before_commit_leaves_nothing_and_the_retry_makes_one_transition(DatabaseProvider provider)
    {
        var crashes = new CrashingComposer.Switch { Armed = true };
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path, services => CrashingComposer.Install(services, crashes));
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        crashes.Armed = false;
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);
        crashes.Armed = true;

        await Should.ThrowAsync<IOException>(() => host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: "job-attempt"));
        (await db.WorkflowInstances.SingleAsync(i => i.Id == site.Id)).State.ShouldBe("invited");
        (await db.WorkflowJournal.CountAsync(j => j.IdempotencyKey == "job-attempt")).ShouldBe(0);
        (await db.WorkflowTimers.CountAsync(t => t.InstanceId == site.Id)).ShouldBe(2, "the new stage's timers were not kept");
        (await db.Outbox.CountAsync(m => m.Template == "registration-requested")).ShouldBe(0);

        crashes.Armed = false;
        (await host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: "job-attempt")).Outcome.ShouldBe(FireOutcome.Fired);
        (await host.FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: "job-attempt")).Outcome.ShouldBe(FireOutcome.Replayed);
        db.ChangeTracker.Clear();
        (await db.WorkflowInstances.SingleAsync(i => i.Id == site.Id)).State.ShouldBe("dua-signed");
        (await db.WorkflowJournal.CountAsync(j => j.IdempotencyKey == "job-attempt")).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Template == "registration-requested")).ShouldBe(1);
        (await db.WorkflowTimers.CountAsync(t => t.InstanceId == site.Id && t.Status == TimerStatus.Pending)).ShouldBe(2);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_job_lost_between_commit_and_enqueue_is_enqueued_again_by_the_reconciler(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var submission = await TestTransfers.ReceiveAsync(db, program.Site.Id, deidPassed: true, openErrors: 0);
        var flow = await host.StartAsync("submission", submission.Id, program.Site.Id);
        await host.FireAsync(flow.Id, "start-qa", Actor.System);
        await db.WorkflowJobIntents.ExecuteUpdateAsync(s => s.SetProperty(i => i.BackgroundJobId, (string?)null));

        var tooSoon = await host.InScopeAsync(sp => sp.GetRequiredService<WorkflowReconciler>().RunAsync(CancellationToken.None));
        host.Clock.Advance(TimeSpan.FromMinutes(2));
        var later = await host.InScopeAsync(sp => sp.GetRequiredService<WorkflowReconciler>().RunAsync(CancellationToken.None));
        var afterwards = await host.InScopeAsync(sp => sp.GetRequiredService<WorkflowReconciler>().RunAsync(CancellationToken.None));

        tooSoon.JobsEnqueued.ShouldBe(0, "a fresh intent may still be on its way to Hangfire");
        later.JobsEnqueued.ShouldBe(1);
        afterwards.JobsEnqueued.ShouldBe(0, "the job enqueued again is alive");
        (await db.WorkflowJobIntents.SingleAsync()).BackgroundJobId.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_job_id_that_a_restarted_in_memory_queue_gave_to_another_job_is_not_taken_for_the_intents_job()
    {
        await using var host = await WorkflowTestHost.CreateAsync(DatabaseProvider.Sqlite, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var submission = await TestTransfers.ReceiveAsync(db, program.Site.Id, deidPassed: true, openErrors: 0);
        var flow = await host.StartAsync("submission", submission.Id, program.Site.Id);
        await host.FireAsync(flow.Id, "start-qa", Actor.System);
        // The process that enqueued the intent's job died with its queue; the new queue gave the same id to a timer sweep.
        var other = await host.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<IBackgroundJobClient>().Enqueue<WorkflowTimerJob>(job => job.RunAsync(CancellationToken.None))));
        await db.WorkflowJobIntents.ExecuteUpdateAsync(s => s.SetProperty(i => i.BackgroundJobId, other));

        var report = await host.InScopeAsync(sp => sp.GetRequiredService<WorkflowReconciler>().RunAsync(CancellationToken.None));
        var again = await host.InScopeAsync(sp => sp.GetRequiredService<WorkflowReconciler>().RunAsync(CancellationToken.None));

        report.JobsEnqueued.ShouldBe(1, "the live job under that id runs something else");
        again.JobsEnqueued.ShouldBe(0, "the intent's own job is alive now");
        (await db.WorkflowJobIntents.AsNoTracking().SingleAsync()).BackgroundJobId.ShouldNotBe(other);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Each_person_sees_which_triggers_they_may_fire_and_why_not_the_others(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);

        var forManager = await host.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<WorkflowRuntime>().Triggers(site, program.ProgramManager)));
        var forCoordinator = await host.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<WorkflowRuntime>().Triggers(site, program.Coordinator)));
        var forStranger = await host.InScopeAsync(sp => Task.FromResult(sp.GetRequiredService<WorkflowRuntime>().Triggers(site, program.OtherCoordinator)));

        forManager.Where(t => t.Permitted).Select(t => t.Trigger).ShouldBe(["record-signed-agreement", "remind-site", "withdraw-site"], ignoreOrder: true);
        forManager.Single(t => t.Trigger == "escalate").WhyNot.ShouldBe("Escalate to program manager happens automatically; no one does it by hand.");
        forCoordinator.ShouldAllBe(t => !t.Permitted);
        forCoordinator.Single(t => t.Trigger == "record-signed-agreement").WhyNot.ShouldBe("Only a program manager can record signed data use agreement.");
        var refused = await host.FireAsync(site.Id, "record-signed-agreement", program.OtherCoordinator);
        refused.Outcome.ShouldBe(FireOutcome.Forbidden);
        forStranger.ShouldAllBe(t => !t.Permitted);
    }
}

/// <summary>Received files for a site: one instance with a de-identification verdict and, if asked, open error findings.</summary>
internal static class TestTransfers
{
    public static async Task<Submission> ReceiveAsync(MidrcDbContext db, Guid siteId, bool deidPassed, int openErrors)
    {
        var at = WorkflowTestHost.Monday;
        var sha = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        var submission = new Submission { SiteId = siteId, Channel = SubmissionChannel.Cli, StartedAt = at, SubmittedBy = SeededProgram.CoordinatorEmail };
        var study = new Study { SiteId = siteId, StudyInstanceUid = $"2.25.{Guid.NewGuid().GetHashCode() & 0x7fffffff}", PatientPseudonym = "RUH-0001" };
        var series = new Series { Study = study, SeriesInstanceUid = "2.25.2", Modality = "CR" };
        var instance = new Instance { Series = series, SubmissionId = submission.Id, SopInstanceUid = $"2.25.3.{sha[..8]}", SopClassUid = "1.2.840.10008.5.1.4.1.1.1", Sha256 = sha, ReceivedAt = at };
        db.AddRange(submission, new StoredObject { Sha256 = sha, Md5 = sha[..32], SizeBytes = 10, StorageKey = sha, StoredAt = at }, study, series, instance,
            new DeidentificationReport { Instance = instance, Outcome = deidPassed ? DeidentificationOutcome.Passed : DeidentificationOutcome.Failed, Profile = "midrc-default", CheckedAt = at });
        for (var i = 0; i < openErrors; i++)
        {
            db.Findings.Add(new QaFinding { SiteId = siteId, SubmissionId = submission.Id, InstanceId = instance.Id, Rule = "qa.missing-attribute", Severity = Severity.Error, Message = "Patient ID is missing", Hint = "Set the pseudonym" });
        }

        await db.SaveChangesAsync();
        return submission;
    }
}

/// <summary>The real composer, made to fail like a process dying mid-transition while <see cref="Switch.Armed"/>.</summary>
internal sealed class CrashingComposer(WorkflowEmailComposer inner, CrashingComposer.Switch crash) : IEmailComposer
{
    public sealed class Switch
    {
        public bool Armed { get; set; }
    }

    public static void Install(IServiceCollection services, Switch crash)
    {
        services.AddSingleton(crash);
        services.AddScoped<WorkflowEmailComposer>();
        services.AddScoped<IEmailComposer, CrashingComposer>();
    }

    public Task<RenderedEmail> ComposeAsync(string template, string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken) =>
        crash.Armed
            ? throw new IOException("The process died while composing an email.")
            : inner.ComposeAsync(template, role, instance, recipient, cancellationToken);
}
