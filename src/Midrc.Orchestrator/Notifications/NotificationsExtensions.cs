using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Hosting;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Email: the outbox written with each state change, the sender job (SMTP, or the pickup folder on the
/// embedded default), daily digests, and the program managers' outbox API.
/// </summary>
public static class NotificationsExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SmtpOptions>(SmtpOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        builder.Services.TryAddSingleton<ISmtpClientFactory, MailKitSmtpClientFactory>();
        // The workflow runtime registers the library it validates at start-up; this is the fallback for the templates.
        builder.Services.TryAddSingleton(_ => WorkflowLibrary.LoadFolder(
            WorkflowLibrary.FindFolderAbove(Directory.GetCurrentDirectory()) ?? WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory) ?? "workflows"));
        builder.Services.AddSingleton<EmailRenderer>();
        builder.Services.AddSingleton<MailDelivery>();
        builder.Services.AddScoped<Outbox>();
        builder.Services.AddScoped<OutboxSender>();
        builder.Services.AddScoped<DailyDigest>();
        builder.Services.TryAddScoped<Audit.AuditTrail>();
        builder.Services.AddHostedService<NotificationJobs>();
        return builder;
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
