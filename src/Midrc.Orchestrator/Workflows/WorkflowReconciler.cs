using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>What the reconciler found and did.</summary>
public sealed record ReconcileReport(bool DueTimers, int JobsEnqueued);

/// <summary>
/// At start-up and every few minutes: whatever the database says is due or pending and has no live Hangfire job gets
/// one. A crash between commit and enqueue, a lost in-memory queue or a restart therefore loses nothing.
/// </summary>
public sealed class WorkflowReconciler(MidrcDbContext db, IBackgroundJobClient jobs, JobStorage storage, TimeProvider clock, ILogger<WorkflowReconciler> log)
{
    public const string RecurringId = "reconcile-workflows";

    /// <summary>A job intent younger than this may still be between commit and enqueue.</summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    private static readonly HashSet<string> LiveStates = [EnqueuedState.StateName, ScheduledState.StateName, ProcessingState.StateName, AwaitingState.StateName];

    public async Task<ReconcileReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var dueTimers = await db.WorkflowTimers.AnyAsync(t => t.Status == TimerStatus.Pending && t.DueAt <= now, cancellationToken);
        if (dueTimers)
        {
            jobs.Enqueue<WorkflowTimerJob>(job => job.RunAsync(CancellationToken.None));
        }

        var settled = now - Grace;
        var pending = await db.WorkflowJobIntents.AsNoTracking()
            .Where(i => i.Status == WorkflowJobStatus.Pending && (i.BackgroundJobId != null || i.CreatedAt < settled))
            .Select(i => new { i.Id, i.BackgroundJobId })
            .ToListAsync(cancellationToken);
        var enqueued = 0;
        using (var connection = storage.GetConnection())
        {
            foreach (var intent in pending.Where(i => !HasLiveJob(connection, i.BackgroundJobId, i.Id)))
            {
                var jobId = jobs.Enqueue<WorkflowJobRunner>(runner => runner.RunAsync(intent.Id, CancellationToken.None));
                await db.WorkflowJobIntents.Where(i => i.Id == intent.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.BackgroundJobId, jobId), cancellationToken);
                enqueued++;
            }
        }

        if (dueTimers || enqueued > 0)
        {
            log.LogInformation("Reconciler: due timers {DueTimers}, workflow jobs enqueued again {Enqueued}", dueTimers, enqueued);
        }

        return new ReconcileReport(dueTimers, enqueued);
    }

    /// <summary>
    /// True when the recorded job is alive and is this intent's. The id alone is not enough: a job storage that starts
    /// over numbers its jobs from 1 again (an in-memory queue after a restart, a recreated Hangfire schema), so the id
    /// the database kept can name another, live job.
    /// </summary>
    private static bool HasLiveJob(IStorageConnection connection, string? jobId, Guid intentId) =>
        jobId is not null && connection.GetJobData(jobId) is { Job: { } job } data && LiveStates.Contains(data.State ?? "")
        && job.Type == typeof(WorkflowJobRunner) && job.Args is [Guid runs, ..] && runs == intentId;
}
