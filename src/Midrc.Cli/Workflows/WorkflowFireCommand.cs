using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Cli.Operations;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Model;

namespace Midrc.Cli.Workflows;

/// <summary>
/// <c>midrc workflows fire &lt;instance-id&gt; &lt;trigger&gt; --as &lt;email|system&gt; [--key K] [--reason R]</c>: an operator fires a
/// trigger on a person's behalf (with that person's current roles, so nothing is permitted that the page would refuse),
/// or as the system to nudge an instance on. Running it again with the same <c>--key</c> changes nothing.
/// </summary>
internal static class WorkflowFireCommand
{
    public static Command Create()
    {
        var instance = new Argument<Guid>("instance-id") { Description = "The workflow instance, as the API and the site page show it." };
        var trigger = new Argument<string>("trigger") { Description = "The trigger to fire, e.g. record-signed-agreement." };
        var actor = new Option<string>("--as") { Description = "The email of the person it is fired for, or 'system'.", Required = true };
        var key = new Option<string?>("--key") { Description = "Idempotency key: the same key fires at most once (default: a new one)." };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the journal and offered to emails." };
        var command = new Command("fire", "Fire a trigger on a workflow instance for a person (their roles apply) or as the system.") { instance, trigger, actor, key, reason };
        command.SetAction((parse, ct) => OperatorHost.RunAsync(parse.InvocationConfiguration.Error, (services, token) =>
            RunAsync(services, parse, instance, trigger, actor, key, reason, token), ct));
        return command;
    }

    private static async Task<int> RunAsync(IServiceProvider services, ParseResult parse, Argument<Guid> instance, Argument<string> trigger,
        Option<string> actorOption, Option<string?> key, Option<string?> reason, CancellationToken cancellationToken)
    {
        var error = parse.InvocationConfiguration.Error;
        var name = parse.GetRequiredValue(actorOption);
        var actor = name == WorkflowRoles.System ? Actor.System : await services.GetRequiredService<ActorResolver>().FindAsync(name, cancellationToken);
        if (actor is null)
        {
            await error.WriteLineAsync($"midrc: there is no active person '{name}'; give the email of a program manager or site coordinator, or 'system'.");
            return 2;
        }

        var idempotencyKey = parse.GetValue(key) ?? $"operator:{Guid.NewGuid():N}";
        if (idempotencyKey.Length > WorkflowRuntime.MaxKeyLength)
        {
            await error.WriteLineAsync($"midrc: --key may have at most {WorkflowRuntime.MaxKeyLength} characters.");
            return 2;
        }

        var result = await services.GetRequiredService<WorkflowRuntime>().FireAsync(
            new FireRequest(parse.GetRequiredValue(instance), parse.GetRequiredValue(trigger), actor, idempotencyKey) { Reason = parse.GetValue(reason) },
            cancellationToken);
        var output = result.Outcome is FireOutcome.Fired or FireOutcome.Replayed ? parse.InvocationConfiguration.Output : error;
        await output.WriteLineAsync($"{result.Outcome}: {result.Message}");
        return result.Outcome switch
        {
            FireOutcome.Fired or FireOutcome.Replayed => 0,
            FireOutcome.NotFound => 2,
            _ => 1,
        };
    }
}
