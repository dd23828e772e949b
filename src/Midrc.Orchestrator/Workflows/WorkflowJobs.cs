using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>What a named job is run for: its intent (the id is its idempotency key) and the instance that asked.</summary>
public sealed record WorkflowJobContext(WorkflowJobIntent Intent, WorkflowInstance Instance)
{
    /// <summary>The key under which a job fires its follow-up trigger: one firing per intent, however often the job runs.</summary>
    public string FollowUpKey => $"job:{Intent.Id}";
}

/// <summary>
/// A background job a definition names (<c>enqueue: run-qa-checks</c>). Hangfire runs jobs at least once, so
/// <see cref="RunAsync"/> must be safe to run twice; triggers it fires use <see cref="WorkflowJobContext.FollowUpKey"/>.
/// </summary>
public interface IWorkflowJob
{
    /// <summary>The name definitions use.</summary>
    string Name { get; }

    /// <summary>Does the work; returns one sentence saying what was done, kept on the intent.</summary>
    Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken);
}

/// <summary>Runs one job intent (the Hangfire job): finds its handler by name, runs it, marks the intent done.</summary>
public sealed class WorkflowJobRunner(MidrcDbContext db, IEnumerable<IWorkflowJob> handlers, TimeProvider clock, ILogger<WorkflowJobRunner> log)
{
    public async Task RunAsync(Guid intentId, CancellationToken cancellationToken)
    {
        var intent = await db.WorkflowJobIntents.Include(i => i.Instance).SingleOrDefaultAsync(i => i.Id == intentId, cancellationToken);
        if (intent is not { Status: WorkflowJobStatus.Pending, Instance: not null })
        {
            return;
        }

        var handler = handlers.SingleOrDefault(h => h.Name == intent.Job)
            ?? throw new InvalidOperationException($"No handler is registered for the workflow job '{intent.Job}'.");
        var outcome = await handler.RunAsync(new WorkflowJobContext(intent, intent.Instance), cancellationToken);
        db.ChangeTracker.Clear();
        var done = await db.WorkflowJobIntents
            .Where(i => i.Id == intentId && i.Status == WorkflowJobStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, WorkflowJobStatus.Done)
                .SetProperty(i => i.CompletedAt, clock.GetUtcNow())
                .SetProperty(i => i.Outcome, outcome.Length > 1000 ? outcome[..1000] : outcome)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken);
        log.LogInformation("Workflow job {Job} for {Instance}: {Outcome}{Again}", intent.Job, intent.InstanceId, outcome, done == 0 ? " (another run finished first)" : "");
    }

    /// <summary>
    /// Runs the instance's latest intent of <paramref name="job"/> again (a person's decision changed its inputs). Its
    /// follow-up trigger keeps the intent's key, so however often it runs, it moves the workflow once.
    /// </summary>
    public async Task RerunAsync(Guid instanceId, string job, CancellationToken cancellationToken)
    {
        var intent = await db.WorkflowJobIntents.Include(i => i.Instance)
            .Where(i => i.InstanceId == instanceId && i.Job == job).OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).FirstOrDefaultAsync(cancellationToken);
        if (intent?.Instance is not { IsFinished: false })
        {
            return;
        }
        var handler = handlers.Single(h => h.Name == job);
        var outcome = await handler.RunAsync(new WorkflowJobContext(intent, intent.Instance), cancellationToken);
        log.LogInformation("Workflow job {Job} for {Instance} ran again: {Outcome}", job, instanceId, outcome);
    }
}
