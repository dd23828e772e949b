using System.Text.Json;
using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Storage;

namespace Midrc.Orchestrator.Health;

/// <summary><c>GET /health</c>: 200 when the database, the job server and the quarantine store are usable (design.md).</summary>
public static class HealthExtensions
{
    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database")
            .AddCheck<JobServerHealthCheck>("jobs")
            .AddCheck<StorageHealthCheck>("storage");
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions
        {
            ResponseWriter = async (context, report) =>
            {
                context.Response.ContentType = "application/json";
                await JsonSerializer.SerializeAsync(context.Response.Body, new
                {
                    status = report.Status.ToString(),
                    checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
                });
            },
        });
        return app;
    }
}

internal sealed class DatabaseHealthCheck(MidrcDbContext db, DatabaseTarget target) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await db.Database.CanConnectAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{target.Provider} reachable")
            : HealthCheckResult.Unhealthy($"{target.Provider} not reachable");
}

internal sealed class JobServerHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A node may run without a job server; the check asks whether any server is alive for the shared queue.
        // Heartbeats are written in wall-clock time by Hangfire, so they are compared with the wall clock.
        var servers = storage.GetMonitoringApi().Servers();
        var alive = servers.Count(s => s.Heartbeat is { } beat && DateTime.UtcNow - beat < TimeSpan.FromMinutes(5));
        return Task.FromResult(alive > 0
            ? HealthCheckResult.Healthy($"{alive} job server(s) alive")
            : HealthCheckResult.Unhealthy("No job server has reported in the last 5 minutes"));
    }
}

internal sealed class StorageHealthCheck(IQuarantineStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.ProbeAsync(cancellationToken)
                ? HealthCheckResult.Healthy("quarantine store writable")
                : HealthCheckResult.Unhealthy("quarantine store returned different bytes");
        }
        catch (IOException e)
        {
            return HealthCheckResult.Unhealthy($"quarantine store not writable: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            return HealthCheckResult.Unhealthy($"quarantine store not writable: {e.Message}");
        }
    }
}
