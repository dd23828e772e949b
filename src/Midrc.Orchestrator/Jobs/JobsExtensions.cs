using Hangfire;
using Hangfire.PostgreSql;
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
        builder.Services.AddHangfire((sp, config) =>
        {
            var target = sp.GetRequiredService<DatabaseTarget>();
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            switch (target.Provider)
            {
                case DatabaseProvider.PostgreSql:
                    config.UsePostgreSqlStorage(
                        o => o.UseNpgsqlConnection(target.ConnectionString),
                        new PostgreSqlStorageOptions { QueuePollInterval = jobs.PollInterval, SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
                    break;
                case DatabaseProvider.SqlServer:
                    config.UseSqlServerStorage(
                        target.ConnectionString,
                        new SqlServerStorageOptions { QueuePollInterval = jobs.PollInterval, SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
                    break;
                default:
                    config.UseInMemoryStorage();
                    break;
            }
        });
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
