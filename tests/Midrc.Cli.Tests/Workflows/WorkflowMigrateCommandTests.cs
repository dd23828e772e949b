using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Cli.Workflows;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Workflows;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Loading;

namespace Midrc.Cli.Tests.Workflows;

/// <summary><c>midrc workflows migrate</c> on a real SQLite database, with a version 2 of <c>submission</c> that renames a state.</summary>
public sealed class WorkflowMigrateCommandTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_dry_run_prints_the_plan_and_changes_nothing_and_the_real_run_moves_every_instance()
    {
        await using var v1 = await WorkflowTestHost.CreateAsync(DatabaseProvider.Sqlite, _folder.Path);
        await using var db = v1.OpenDb();
        var program = await SeededProgram.CreateAsync(db);
        var waiting = await v1.StartAsync("submission", Guid.NewGuid(), program.Site.Id);
        var rechecked = await v1.StartAsync("submission", Guid.NewGuid(), program.Site.Id);
        await v1.FireAsync(rechecked.Id, "start-qa", Actor.System);
        await v1.FireAsync(rechecked.Id, "qa-finished", Actor.System, data: new Dictionary<string, string> { ["open-errors"] = "2" });
        await v1.FireAsync(rechecked.Id, "resubmit", program.Coordinator);
        var definitions = WorkflowDefinitions.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [WorkflowDefinitions.FolderSetting] = WithSubmissionVersion2() }).Build());
        await using var v2 = v1.SecondNode(services => services.AddSingleton(definitions));
        var journalBefore = await db.WorkflowJournal.CountAsync();

        var (dryExit, dryOutput) = await Run(v2, dryRun: true);

        dryExit.ShouldBe(0, dryOutput);
        dryOutput.ShouldContain("submission: version 1 -> 2, 2 instances");
        dryOutput.ShouldContain($"  {waiting.Id}  received (state unchanged)");
        dryOutput.ShouldContain($"  {rechecked.Id}  resubmitted -> rechecking");
        dryOutput.ShouldEndWith($"Dry run: nothing changed.{Environment.NewLine}");
        (await db.WorkflowInstances.Select(i => i.DefinitionVersion).ToListAsync()).ShouldAllBe(v => v == 1);
        (await db.WorkflowInstances.SingleAsync(i => i.Id == rechecked.Id)).State.ShouldBe("resubmitted");
        (await db.WorkflowJournal.CountAsync()).ShouldBe(journalBefore);

        var (exit, output) = await Run(v2, dryRun: false);

        exit.ShouldBe(0, output);
        output.ShouldEndWith($"Moved 2 instances to version 2.{Environment.NewLine}");
        db.ChangeTracker.Clear();
        (await db.WorkflowInstances.Select(i => i.DefinitionVersion).ToListAsync()).ShouldAllBe(v => v == 2);
        (await db.WorkflowInstances.SingleAsync(i => i.Id == rechecked.Id)).State.ShouldBe("rechecking");
        (await db.WorkflowJournal.CountAsync(j => j.Trigger == "migrate")).ShouldBe(2);
        (await db.AuditEvents.CountAsync(a => a.Action == "workflow.migrated")).ShouldBe(2);
        (await Run(v2, dryRun: false)).Output.ShouldStartWith("Nothing to migrate");
    }

    [Fact]
    public async Task An_unknown_version_is_refused_with_exit_code_2()
    {
        await using var host = await WorkflowTestHost.CreateAsync(DatabaseProvider.Sqlite, _folder.Path);
        await using var scope = host.Services.CreateAsyncScope();
        var error = new StringWriter();

        var exit = await WorkflowMigrateCommand.RunAsync(scope.ServiceProvider, "submission", 9, dryRun: true, new StringWriter(), error, CancellationToken.None);

        exit.ShouldBe(2);
        error.ToString().ShouldStartWith("midrc: Workflow 'submission' has no version 9 in ");
        error.ToString().ShouldNotContain("Parameter");
    }

    private static async Task<(int ExitCode, string Output)> Run(WorkflowTestHost host, bool dryRun)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var output = new StringWriter();
        var exit = await WorkflowMigrateCommand.RunAsync(scope.ServiceProvider, "submission", null, dryRun, output, new StringWriter(), CancellationToken.None);
        return (exit, output.ToString());
    }

    /// <summary>A copy of the shipped folder plus <c>submission</c> version 2, where <c>resubmitted</c> became <c>rechecking</c>.</summary>
    private string WithSubmissionVersion2()
    {
        var shipped = WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)!;
        var copy = Path.Combine(_folder.Path, "workflows");
        foreach (var file in Directory.GetFiles(shipped, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var v2 = File.ReadAllText(Path.Combine(shipped, "submission.yaml"))
            .Replace("version: 1", "version: 2", StringComparison.Ordinal)
            .Replace("resubmitted", "rechecking", StringComparison.Ordinal)
            + "\nmigrate:\n  - { from-state: resubmitted, to: rechecking }\n";
        File.WriteAllText(Path.Combine(copy, "submission-v2.yaml"), v2);
        return copy;
    }
}
