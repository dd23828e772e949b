using Hangfire;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

/// <summary>Publication: the release builder, its workflow jobs, the schedule, and the program managers' API.</summary>
public static class ReleasesExtensions
{
    public static IHostApplicationBuilder AddReleases(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReleaseServices();
        builder.Services.AddHostedService<ReleaseStartup>();
        return builder;
    }

    /// <summary>The builder and jobs without start-up work: what the host, the tests and the benchmark share.</summary>
    public static IServiceCollection AddReleaseServices(this IServiceCollection services)
    {
        services.AddValidatedOptions<ReleaseOptions>(ReleaseOptions.Section);
        services.AddSingleton<IValidateOptions<ReleaseOptions>, ReleaseOptionsValidator>();
        services.AddSingleton<ReleaseFaults>();
        services.AddScoped<ReleaseLeases>();
        services.AddScoped<ReleaseBuilder>();
        services.AddScoped<ReleaseNotifier>();
        services.AddScoped<ReleaseCalendar>();
        services.AddScoped<ReleaseDesk>();
        services.AddScoped<ReleaseSchedule>();
        services.AddScoped<IWorkflowJob, FreezeReleaseJob>();
        services.AddScoped<IWorkflowJob, VerifyReleaseJob>();
        services.AddScoped<IWorkflowJob, PublishReleaseJob>();
        return services;
    }

    public static IEndpointRouteBuilder MapReleases(this IEndpointRouteBuilder app) => app.MapReleasesApi();

    private sealed class ReleaseOptionsValidator : IValidateOptions<ReleaseOptions>
    {
        public ValidateOptionsResult Validate(string? name, ReleaseOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Registers the schedule with Hangfire in its time zone and gives every program its current release.</summary>
    private sealed class ReleaseStartup(IServiceProvider services, IRecurringJobManager recurring, IOptions<ReleaseOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var settings = options.Value;
            recurring.AddOrUpdate<ReleaseSchedule>(ReleaseSchedule.RecurringId, schedule => schedule.RunAsync(CancellationToken.None), settings.Schedule,
                new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(settings.TimeZone) });
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
            var calendar = scope.ServiceProvider.GetRequiredService<ReleaseCalendar>();
            foreach (var programId in db.Programs.Select(p => p.Id).ToList())
            {
                await calendar.EnsureCurrentAsync(programId, cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
