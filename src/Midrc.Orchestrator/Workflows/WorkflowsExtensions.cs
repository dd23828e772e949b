using Microsoft.Extensions.DependencyInjection.Extensions;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Qa;

namespace Midrc.Orchestrator.Workflows;

public static class WorkflowsExtensions
{
    /// <summary>The durable workflow runtime: definitions checked at start-up, runtime, timers, jobs, reconciler and API.</summary>
    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddWorkflowRuntime();
        builder.Services.AddHostedService<WorkflowStartup>();
        return builder;
    }

    /// <summary>
    /// A host with the data layer and the workflow runtime but no web server, job server or start-up work: what the
    /// CLI's operator commands, the benchmarks and the runtime tests run on. Settings come from appsettings/, then
    /// environment variables, then <paramref name="settings"/>.
    /// </summary>
    public static HostApplicationBuilder CreateRuntimeBuilder(string environmentName, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = environmentName });
        builder.AddMidrcSettings();
        builder.Configuration.AddEnvironmentVariables();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Logging.ClearProviders();
        builder.AddData();
        builder.Services.AddWorkflowRuntime();
        return builder;
    }

    /// <summary>The runtime's services without start-up work, for the host, the CLI and benchmarks.</summary>
    public static IServiceCollection AddWorkflowRuntime(this IServiceCollection services)
    {
        services.AddSingleton(sp => WorkflowDefinitions.Load(sp.GetRequiredService<IConfiguration>()));
        services.TryAddScoped<AuditTrail>();
        // Transitions write their emails through the outbox, in the same transaction.
        services.AddOutbox();
        services.AddScoped<IEmailComposer, WorkflowEmailComposer>();
        services.AddScoped<WorkflowRuntime>();
        services.AddScoped<ISubjectStatus, SiteStageProjection>();
        services.AddScoped<ISubjectStatus, SolicitationStatusProjection>();
        services.AddScoped<ISubjectStatus, SubmissionStatusProjection>();
        services.AddScoped<ISubjectStatus, ReleaseStateProjection>();
        services.AddScoped<WorkflowTimerJob>();
        services.AddScoped<WorkflowReconciler>();
        services.AddScoped<WorkflowJobRunner>();
        services.AddScoped<WorkflowMigrator>();
        services.AddScoped<ActorResolver>();
        services.AddScoped<DeidentificationVerdicts>();
        services.AddScoped<IWorkflowJob, RunQaChecksJob>();
        services.AddScoped<IWorkflowJob, VerifyDeidentificationJob>();
        services.AddScoped<IWorkflowJob, SendDigestJob>();
        services.AddScoped<RequestBatches>();
        services.AddScoped<IWorkflowJob, ReportBatchToRequestJob>();
        return services;
    }
}
