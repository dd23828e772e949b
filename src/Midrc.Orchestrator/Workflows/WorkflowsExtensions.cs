using Microsoft.Extensions.DependencyInjection.Extensions;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Notifications;

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

    /// <summary>The runtime's services without start-up work, for the host, the CLI and benchmarks.</summary>
    public static IServiceCollection AddWorkflowRuntime(this IServiceCollection services)
    {
        services.AddSingleton(sp => WorkflowDefinitions.Load(sp.GetRequiredService<IConfiguration>()));
        services.TryAddScoped<AuditTrail>();
        // Transitions write their emails through the outbox, in the same transaction.
        services.AddOutbox();
        services.AddScoped<IEmailComposer, FluidEmailComposer>();
        services.AddScoped<WorkflowRuntime>();
        services.AddScoped<WorkflowTimerJob>();
        services.AddScoped<WorkflowReconciler>();
        services.AddScoped<WorkflowJobRunner>();
        services.AddScoped<WorkflowMigrator>();
        services.AddScoped<ActorResolver>();
        services.AddScoped<IWorkflowJob, RunQaChecksJob>();
        services.AddScoped<IWorkflowJob, VerifyDeidentificationJob>();
        services.AddScoped<IWorkflowJob, FreezeReleaseJob>();
        services.AddScoped<IWorkflowJob, VerifyReleaseJob>();
        services.AddScoped<IWorkflowJob, PublishReleaseJob>();
        services.AddScoped<IWorkflowJob, SendDigestJob>();
        return services;
    }
}
