using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>
/// Performs the jobs a host enqueued, as a Hangfire worker would, for hosts that run no job server: the test decides
/// when its jobs run, and no other test's host can stop under them (Hangfire's log provider is process-wide).
/// </summary>
public sealed class EnqueuedJobs(IServiceProvider services)
{
    private readonly HashSet<string> performed = [];

    /// <summary>Performs every enqueued job not performed yet (each in its own scope, with its stored arguments); returns how many.</summary>
    public async Task<int> RunAsync()
    {
        var storage = services.GetRequiredService<JobStorage>();
        var jobs = storage.GetMonitoringApi().EnqueuedJobs("default", 0, 10_000).Where(j => performed.Add(j.Key)).ToList();
        foreach (var (_, enqueued) in jobs)
        {
            await using var scope = services.CreateAsyncScope();
            var job = enqueued.Job;
            var target = scope.ServiceProvider.GetRequiredService(job.Type);
            await (Task)job.Method.Invoke(target, [.. job.Args])!;
        }
        return jobs.Count;
    }

    /// <summary>Performs enqueued jobs, and the jobs they enqueue, until none is left.</summary>
    public async Task RunAllAsync()
    {
        while (await RunAsync() > 0)
        {
        }
    }
}
