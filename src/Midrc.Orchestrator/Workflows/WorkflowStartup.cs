using Hangfire;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// At start-up (after the database is migrated): loads and validates the definitions (an invalid one stops the host),
/// registers the recurring timer sweep and reconciler, and reconciles once.
/// </summary>
internal sealed class WorkflowStartup(IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<WorkflowDefinitions>();
        var recurring = services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<WorkflowTimerJob>(WorkflowTimerJob.RecurringId, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<WorkflowReconciler>(WorkflowReconciler.RecurringId, reconciler => reconciler.RunAsync(CancellationToken.None), "*/5 * * * *");
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<WorkflowReconciler>().RunAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
