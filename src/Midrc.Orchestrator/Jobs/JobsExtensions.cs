using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.SqlServer;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;

namespace Midrc.Orchestrator.Jobs;

/// <summary>
/// Hangfire executes background work; it never holds the only copy of anything (design.md). On a
/// shared PostgreSQL or SQL Server its storage lives in the same database, so several orchestrator
/// processes share one queue; on the embedded default it is in memory and the reconciler rebuilds it.
/// </summary>
public static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<JobsOptions>(JobsOptions.Section)
            .Validate(o => o.WorkerCount is >= 1 and <= 64, "Setting Midrc:Jobs:WorkerCount must be between 1 and 64.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100), "Setting Midrc:Jobs:PollInterval must be at least 00:00:00.1.");
        var jobs = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        // Each host owns its storage and its activator. Left to itself, Hangfire registers whatever the process-wide
        // JobStorage.Current holds, so two hosts in one process could share one in-memory queue, and the first to
        // stop disposed it under the other. The container disposes this one with its host.
        builder.Services.AddSingleton<JobStorage>(sp =>
        {
            // Resolving the configuration runs Hangfire's set-up (serializer, logging), as its own storage would.
            sp.GetRequiredService<IGlobalConfiguration>();
            var target = sp.GetRequiredService<DatabaseTarget>();
            return target.Provider switch
            {
                DatabaseProvider.PostgreSql => PostgreSql(target.ConnectionString, jobs.PollInterval),
                DatabaseProvider.SqlServer => new SqlServerStorage(
                    target.ConnectionString,
                    new SqlServerStorageOptions { QueuePollInterval = jobs.PollInterval, SchemaName = "hangfire", PrepareSchemaIfNecessary = true }),
                _ => new InMemoryStorage(),
            };
        });
        // Jobs run in this host's container too, not in the one Hangfire's process-wide activator was first given.
        builder.Services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        builder.Services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HostLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        if (jobs.RunServer)
        {
            builder.Services.AddHangfireServer((sp, o) =>
            {
                var options = sp.GetRequiredService<IOptions<JobsOptions>>().Value;
                o.WorkerCount = options.WorkerCount;
                o.SchedulePollingInterval = options.PollInterval;
                o.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
            });
        }
        return builder;
    }

    private static PostgreSqlStorage PostgreSql(string connectionString, TimeSpan pollInterval)
    {
        var options = new PostgreSqlStorageOptions { QueuePollInterval = pollInterval, SchemaName = "hangfire", PrepareSchemaIfNecessary = true };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>The Hangfire dashboard at <c>/jobs</c>, for signed-in program managers and admins only.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder app)
    {
        // No Hangfire filters (their default admits any local request): the cookie user's policy decides.
        app.MapHangfireDashboardWithAuthorizationPolicy(MidrcPolicies.ProgramManager, "/jobs", new DashboardOptions
        {
            DashboardTitle = "Midrc.Orchestrator jobs",
            DisplayStorageConnectionString = false,
            Authorization = [],
            AppPath = "/",
        });
        return app;
    }
}
