using Hangfire;
using Hangfire.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Jobs;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Hosting;

/// <summary>Hangfire keeps its storage and activator in process-wide statics; each host must still own its own.</summary>
public sealed class JobsTests
{
    [Fact]
    public void Two_hosts_configured_in_turn_each_keep_their_own_queue_and_activator()
    {
        using var first = JobServices();
        using var second = JobServices();

        // The order two hosts starting at once can take: the second configures Hangfire before the first asks for its queue.
        first.GetRequiredService<IGlobalConfiguration>();
        second.GetRequiredService<IGlobalConfiguration>();
        var storage = first.GetRequiredService<JobStorage>();

        second.GetRequiredService<JobStorage>();
        var jobs = first.GetRequiredService<IBackgroundJobClient>();
        jobs.Enqueue<WorkflowTimerJob>(job => job.RunAsync(CancellationToken.None));
        second.Dispose();
        var jobId = jobs.Enqueue<WorkflowTimerJob>(job => job.RunAsync(CancellationToken.None));
        storage.GetMonitoringApi().JobDetails(jobId).ShouldNotBeNull("the first host's queue outlives the second host");
    }

    [Fact]
    public void A_queue_built_after_the_host_that_configured_Hangfire_stopped_starts_without_that_hosts_logging()
    {
        var stopped = JobServices();
        stopped.GetRequiredService<IGlobalConfiguration>();
        stopped.Dispose();

        // Another host's in-memory queue asks Hangfire's process-wide log provider for a logger as it is built.
        Should.NotThrow(() => new InMemoryStorage().Dispose());
    }

    private static ServiceProvider JobServices()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Midrc:Jobs:RunServer"] = "false";
        builder.Services.AddSingleton(new DatabaseTarget(DatabaseProvider.Sqlite, "Data Source=:memory:", MigrateAtStartup: false));
        builder.AddJobs();
        return builder.Services.BuildServiceProvider();
    }
}
