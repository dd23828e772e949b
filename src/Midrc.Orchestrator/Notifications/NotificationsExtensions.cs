using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Email: the outbox written with each state change, the sender job (SMTP, or the pickup folder on the
/// embedded default), daily digests, and the program managers' outbox API.
/// </summary>
public static class NotificationsExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOutbox();
        builder.Services.AddHostedService<NotificationJobs>();
        return builder;
    }

    /// <summary>
    /// The outbox, its renderer and its sender, without the recurring jobs: for the host and for anything
    /// that writes email in its own unit of work (the workflow runtime, the CLI, benchmarks).
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>());
        services.TryAddSingleton<ISmtpClientFactory, MailKitSmtpClientFactory>();
        // The templates come from the library the workflow runtime loads and validates at start-up.
        services.TryAddSingleton(sp => sp.GetRequiredService<WorkflowDefinitions>().Library);
        services.TryAddSingleton<EmailRenderer>();
        services.TryAddSingleton<MailDelivery>();
        services.TryAddScoped<Outbox>();
        services.TryAddScoped<OutboxResend>();
        services.TryAddScoped<NotificationPreferences>();
        services.TryAddSingleton<PickupMail>();
        services.TryAddScoped<OutboxSender>();
        services.TryAddScoped<DailyDigest>();
        services.TryAddScoped<Audit.AuditTrail>();
        return services;
    }

    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app) => app.MapOutbox();

    private sealed class SmtpOptionsValidator : IValidateOptions<SmtpOptions>
    {
        public ValidateOptionsResult Validate(string? name, SmtpOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Registers the recurring jobs at start-up (idempotent: the ids are fixed).</summary>
    private sealed class NotificationJobs(IRecurringJobManager recurring) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<OutboxSender>(OutboxSender.RecurringJobId, s => s.SendDueAsync(CancellationToken.None), Cron.Minutely());
            recurring.AddOrUpdate<DailyDigest>(DailyDigest.RecurringJobId, d => d.WriteDueAsync(CancellationToken.None), DailyDigest.JobSchedule);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
