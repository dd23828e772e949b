using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Cli.Operations;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Migration;
using Midrc.Curation.Reports;

namespace Midrc.Cli.Workflows;

/// <summary>
/// <c>midrc workflows migrate &lt;definition-id&gt; [--to-version N] [--dry-run]</c>: moves the database's unfinished instances
/// of a definition to a newer version, printing the plan first; with <c>--dry-run</c> it only prints.
/// </summary>
internal static class WorkflowMigrateCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("definition-id") { Description = "Definition id, e.g. submission." };
        var toVersion = new Option<int?>("--to-version") { Description = "Target version (default: the newest in workflows/)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change and change nothing." };
        var command = new Command("migrate", "Move a definition's running instances to a newer version (journal entry and audit event per instance).") { id, toVersion, dryRun };
        command.SetAction((parse, ct) => OperatorHost.RunAsync(parse.InvocationConfiguration.Error, (services, token) =>
            RunAsync(services, parse.GetRequiredValue(id), parse.GetValue(toVersion), parse.GetValue(dryRun), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, token), ct));
        return command;
    }

    /// <summary>Plans, prints and (unless a dry run) applies. Exit 0 when done, 1 when a state has no target, 2 when the definition or version is unknown.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, string definitionId, int? toVersion, bool dryRun, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var migrator = services.GetRequiredService<WorkflowMigrator>();
        IReadOnlyList<MigrationPlan> plans;
        try
        {
            plans = await migrator.PlanAsync(definitionId, toVersion, cancellationToken);
        }
        catch (KeyNotFoundException e)
        {
            await error.WriteLineAsync($"midrc: {e.Message}");
            return 2;
        }

        if (plans.Count == 0)
        {
            await output.WriteLineAsync($"Nothing to migrate: no running {definitionId} instance is on an older version.");
            return 0;
        }

        foreach (var plan in plans)
        {
            await output.WriteLineAsync($"{plan.DefinitionId}: version {plan.FromVersion} -> {plan.ToVersion}, {Plural.Count(plan.Instances.Count, "instance")}");
            foreach (var instance in plan.Instances)
            {
                await output.WriteLineAsync($"  {instance.InstanceId}  {Describe(instance)}");
            }
        }

        if (plans.Any(p => !p.CanMigrate))
        {
            await output.WriteLineAsync("Cannot migrate: the states above marked 'no longer exists' need a 'migrate:' entry in the new version. Nothing changed.");
            return 1;
        }

        if (dryRun)
        {
            await output.WriteLineAsync("Dry run: nothing changed.");
            return 0;
        }

        var moved = await migrator.ApplyAsync(plans, $"operator:{Environment.UserName}", cancellationToken);
        await output.WriteLineAsync($"Moved {Plural.Count(moved, "instance")} to version {plans[0].ToVersion}.");
        return 0;
    }

    private static string Describe(InstanceMigration instance)
    {
        var move = instance.Outcome switch
        {
            MigrationOutcome.Unchanged => $"{instance.FromState} (state unchanged)",
            MigrationOutcome.Mapped => $"{instance.FromState} -> {instance.ToState}",
            _ => $"{instance.FromState}: {instance.Problem}",
        };
        var timers = (instance.TimersCancelled.Count > 0 ? $"; timers stopped: {string.Join(", ", instance.TimersCancelled)}" : "")
            + (instance.TimersStarted.Count > 0 ? $"; timers started: {string.Join(", ", instance.TimersStarted)}" : "");
        return move + timers;
    }
}
