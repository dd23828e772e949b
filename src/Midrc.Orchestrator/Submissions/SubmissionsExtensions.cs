using Hangfire;
using Microsoft.Extensions.Options;
using Midrc.Curation.Profiles;
using Midrc.Curation.Workers;
using Midrc.Orchestrator.Clinical;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// Receiving data from sites: the intake every channel goes through, the worker processes that parse untrusted
/// files, the indexing job, and the upload API.
/// </summary>
public static class SubmissionsExtensions
{
    public static IHostApplicationBuilder AddSubmissions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<IntakeOptions>(IntakeOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<IntakeOptions>, IntakeOptionsValidator>();
        // One long-lived pool for the whole process: parsing is bounded by its workers, whatever the number of uploads.
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<IntakeOptions>>().Value;
            return new CurationWorkerPool(new CurationWorkerPoolOptions
            {
                WorkerCount = options.Workers,
                FileTimeout = options.FileTimeout,
                Command = options.WorkerAssembly.Length > 0 ? WorkerCommand.ForAssembly(options.WorkerAssembly) : WorkerCommand.ForCurrentProcess(),
                ChecksSettings = ProfileLoader.DefaultProfileText(),
            });
        });
        builder.Services.AddSingleton<SubmissionVolumes>();
        builder.Services.AddSingleton<IntakeCommits>();
        builder.Services.AddScoped<SubmissionIntake>();
        builder.Services.AddScoped<SubmissionIndexer>();
        builder.Services.AddScoped<ClinicalRecordStore>();
        builder.Services.AddScoped<FixLoop>();
        builder.Services.AddScoped<SubmissionReports>();
        // An indexed submission starts (or, corrected, moves on) its workflow.
        builder.Services.AddScoped<ISubmissionEvents, WorkflowSubmissionEvents>();
        builder.Services.AddHostedService<IndexingJobs>();
        return builder;
    }

    /// <summary>The sites' upload API (token), and the fix loop for signed-in people (report, waivers, reviews).</summary>
    public static IEndpointRouteBuilder MapSubmissions(this IEndpointRouteBuilder app) => app.MapSubmissionsApi().MapFixLoop();

    private sealed class IntakeOptionsValidator : IValidateOptions<IntakeOptions>
    {
        public ValidateOptionsResult Validate(string? name, IntakeOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }

    /// <summary>Completed submissions whose indexing job was lost (a restart of the embedded default) are picked up again.</summary>
    private sealed class IndexingJobs(IRecurringJobManager recurring) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurring.AddOrUpdate<SubmissionIndexer>(SubmissionIndexer.RecurringJobId, i => i.ResumePendingAsync(CancellationToken.None), "*/5 * * * *");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
