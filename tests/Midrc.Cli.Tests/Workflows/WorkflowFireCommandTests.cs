using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Workflows;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Cli.Tests.Workflows;

/// <summary>
/// <c>midrc workflows fire</c> as separate operating-system processes on one database: racing processes make one
/// transition, and a process killed at any moment of a transition leaves either nothing or the whole transition, so
/// running it again with the same key completes it once.
/// </summary>
public sealed class WorkflowFireCommandTests : IDisposable
{
    private const string Trigger = "record-signed-agreement";

    /// <summary>When to kill the command, as fractions of an undisturbed run's duration.</summary>
    private static readonly double[] KillAt = [0.3, 0.5, 0.65, 0.8, 0.9, 0.97, 1.05];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Processes_racing_the_same_trigger_on_PostgreSQL_make_one_transition()
    {
        await using var host = await WorkflowTestHost.CreateAsync(DatabaseProvider.PostgreSql, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var site = await host.StartAsync("site-onboarding", program.Site.Id, program.Site.Id);

        var runs = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => FireAsync(host, site.Id, $"race-{i}")));

        runs.Count(r => r.ExitCode == 0).ShouldBe(1, string.Join("\n", runs.Select(r => r.Output + r.Error)));
        runs.Single(r => r.ExitCode == 0).Output.ShouldStartWith("Fired: Data use agreement signed.");
        runs.Where(r => r.ExitCode != 0).ShouldAllBe(r => r.ExitCode == 1 && (r.Error.StartsWith("Conflict: Someone else") || r.Error.StartsWith("NotPossible:")));
        await ShouldHaveMovedOnceAsync(db, site.Id, program.Site.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_process_killed_at_any_moment_of_a_transition_leaves_all_or_nothing_and_the_rerun_completes_it_once(DatabaseProvider provider)
    {
        await using var host = await WorkflowTestHost.CreateAsync(provider, _folder.Path);
        await using var db = host.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var sites = new List<(Guid Site, Guid Instance)>();
        foreach (var index in Enumerable.Range(0, KillAt.Length + 1))
        {
            var site = new Site { ProgramId = program.Site.ProgramId, Code = $"K{index:00}", Name = $"Site {index}", Institution = "Test", Country = "US", TimeZone = "UTC" };
            var coordinator = new Person { Email = $"coordinator@k{index:00}.example", DisplayName = $"Coordinator {index}" };
            db.AddRange(site, coordinator, new RoleAssignment { Person = coordinator, Role = Role.SiteCoordinator, Site = site });
            await db.SaveChangesAsync();
            sites.Add((site.Id, (await host.StartAsync("site-onboarding", site.Id, site.Id)).Id));
        }

        // One undisturbed run tells how long the command takes on this machine now; the kills land at fractions of that,
        // before, during and just after its transaction.
        var watch = Stopwatch.StartNew();
        (await FireAsync(host, sites[0].Instance, "undisturbed")).ExitCode.ShouldBe(0);
        var duration = watch.Elapsed;
        var killed = new List<bool>();
        var reruns = new List<HostProcess.Outcome>();
        foreach (var (fraction, index) in KillAt.Select((f, i) => (f, i + 1)))
        {
            killed.Add(await RunAndKillAsync(host, sites[index].Instance, $"kill-{index}", duration * fraction));
            reruns.Add(await FireAsync(host, sites[index].Instance, $"kill-{index}"));
        }

        reruns.ShouldAllBe(r => r.ExitCode == 0 && (r.Output.StartsWith("Fired:") || r.Output.StartsWith("Replayed:")));
        killed.ShouldContain(true, "at least one process must have been killed before it finished");
        foreach (var (site, instance) in sites)
        {
            await ShouldHaveMovedOnceAsync(db, instance, site);
        }
    }

    private Task<HostProcess.Outcome> FireAsync(WorkflowTestHost host, Guid instance, string key) =>
        HostProcess.RunAsync("midrc.dll", _folder.Path, Database(host), TimeSpan.FromMinutes(3), Arguments(instance, key));

    private static string[] Arguments(Guid instance, string key) =>
        ["workflows", "fire", instance.ToString(), Trigger, "--as", SeededProgram.ProgramManagerEmail, "--key", key];

    private static async Task ShouldHaveMovedOnceAsync(MidrcDbContext db, Guid instance, Guid site)
    {
        db.ChangeTracker.Clear();
        (await db.WorkflowInstances.SingleAsync(i => i.Id == instance)).State.ShouldBe("dua-signed");
        (await db.WorkflowJournal.CountAsync(j => j.InstanceId == instance && j.Trigger == Trigger)).ShouldBe(1);
        (await db.Outbox.CountAsync(m => m.SiteId == site && m.Template == "registration-requested")).ShouldBe(1);
        (await db.WorkflowTimers.CountAsync(t => t.InstanceId == instance && t.Status == TimerStatus.Pending)).ShouldBe(2, "the new stage's reminder and escalation");
        (await db.AuditEvents.CountAsync(a => a.EntityId == instance.ToString() && a.Action == "workflow.transition")).ShouldBe(1);
    }

    /// <summary>Starts the command and kills it (SIGKILL, no clean-up) after <paramref name="delay"/>; true when it was still running.</summary>
    private async Task<bool> RunAndKillAsync(WorkflowTestHost host, Guid instance, string key, TimeSpan delay)
    {
        await using var process = HostProcess.Start("midrc.dll", _folder.Path, Database(host), Arguments(instance, key));
        await Task.Delay(delay);
        var running = !process.HasExited;
        process.Kill();
        return running;
    }

    private static Dictionary<string, string> Database(WorkflowTestHost host) => new()
    {
        ["Midrc__Database__Provider"] = host.Provider.ToString(),
        ["Midrc__Database__ConnectionString"] = host.ConnectionString,
    };
}
