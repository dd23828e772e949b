using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// <c>fire-due-timers</c> (recurring every minute, and scheduled for near timers): fires every due timer's trigger with
/// the idempotency key <c>timer:&lt;id&gt;</c>. The claim is part of the transition's transaction, guarded by the timer's
/// concurrency token, so two nodes sweeping at once fire each timer once.
/// </summary>
public sealed class WorkflowTimerJob(MidrcDbContext db, WorkflowRuntime runtime, TimeProvider clock, ILogger<WorkflowTimerJob> log)
{
    public const string RecurringId = "fire-due-timers";
    private const int BatchSize = 200;

    /// <summary>Fires what is due now; returns how many timers made a transition.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var tried = new HashSet<Guid>();
        var fired = 0;
        while (true)
        {
            var due = await db.WorkflowTimers.AsNoTracking()
                .Where(t => t.Status == TimerStatus.Pending && t.DueAt <= now)
                .OrderBy(t => t.DueAt)
                .Select(t => new { t.Id, t.InstanceId, t.Trigger })
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            var fresh = due.Where(t => tried.Add(t.Id)).ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var timer in fresh)
            {
                var result = await runtime.FireAsync(new FireRequest(timer.InstanceId, timer.Trigger, Actor.System, $"timer:{timer.Id}") { TimerId = timer.Id }, cancellationToken);
                fired += result.Changed ? 1 : 0;
            }
        }

        if (tried.Count > 0)
        {
            log.LogInformation("Fired {Fired} of {Due} due workflow timer(s)", fired, tried.Count);
        }

        return fired;
    }
}
