using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Workflows;

/// <summary>Two orchestrator nodes (separate service providers, connections and scopes) on one database, racing with real parallel tasks.</summary>
public sealed class ConcurrencyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_racing_the_same_trigger_make_one_transition_and_the_others_get_a_conflict(DatabaseProvider provider)
    {
        await using var first = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var second = first.SecondNode();
        await using var db = first.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await first.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);
        WorkflowTestHost[] nodes = [first, second];

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => nodes[i % 2].FireAsync(site.Id, "record-signed-agreement", program.ProgramManager, key: $"double-click-{i}"))));

        results.Count(r => r.Outcome == FireOutcome.Fired).ShouldBe(1);
        results.Where(r => r.Outcome != FireOutcome.Fired).ShouldAllBe(r => r.Outcome == FireOutcome.Conflict);
        results.First(r => r.Outcome == FireOutcome.Conflict).Message.ShouldStartWith(
            $"Someone else ({SeededProgram.ProgramManagerEmail}) already moved this site to 'Data use agreement signed' at ");
        (await db.WorkflowJournal.CountAsync(j => j.Trigger == "record-signed-agreement")).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.Template == "registration-requested")).ShouldBe(1);
        (await db.WorkflowTimers.CountAsync(t => t.Status == TimerStatus.Pending)).ShouldBe(2);
        (await db.AuditEvents.CountAsync(a => a.Action == "workflow.transition")).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_retried_job_racing_itself_with_one_key_makes_one_transition(DatabaseProvider provider)
    {
        await using var first = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var second = first.SecondNode();
        await using var db = first.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await first.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);
        WorkflowTestHost[] nodes = [first, second];

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => nodes[i % 2].FireAsync(site.Id, "remind-site", Actor.System, key: "job:reminder-1"))));

        results.Count(r => r.Outcome == FireOutcome.Fired).ShouldBe(1);
        results.Where(r => r.Outcome != FireOutcome.Fired).ShouldAllBe(r => r.Outcome == FireOutcome.Replayed);
        (await db.Outbox.CountAsync(m => m.Template == "stage-reminder")).ShouldBe(1, "an internal transition stays possible, so only the key stops the second reminder");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Two_nodes_sweeping_timers_at_once_fire_each_timer_once(DatabaseProvider provider)
    {
        await using var first = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var second = first.SecondNode();
        await using var db = first.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        for (var i = 0; i < 5; i++)
        {
            await first.StartAsync("site-onboarding", Guid.NewGuid(), program.Site.Id);
        }

        first.Clock.Advance(TimeSpan.FromDays(15));
        var fired = await Task.WhenAll(Task.Run(first.RunTimersAsync), Task.Run(second.RunTimersAsync), Task.Run(first.RunTimersAsync));

        fired.Sum().ShouldBe(10);
        (await db.WorkflowJournal.CountAsync(j => j.IdempotencyKey.StartsWith("timer:"))).ShouldBe(10);
        (await db.Outbox.CountAsync(m => m.Template == "stage-reminder")).ShouldBe(5);
        (await db.Outbox.CountAsync(m => m.Template == "escalation")).ShouldBe(5);
        (await db.WorkflowTimers.CountAsync(t => t.Status == TimerStatus.Pending)).ShouldBe(0);
    }
}
