using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Releases;

/// <summary>
/// A step of the release build run as a workflow job: it holds the program's lease while it works (so one build runs
/// at a time across all processes), skips what an earlier run finished, and fires the workflow's follow-up trigger.
/// </summary>
public abstract class ReleaseJob(MidrcDbContext db, ReleaseLeases leases, WorkflowRuntime runtime) : IWorkflowJob
{
    public abstract string Name { get; }

    /// <summary>The workflow state this step runs in; in any other (held, reopened) it does nothing.</summary>
    protected abstract ReleaseState RunsIn { get; }

    public async Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken)
    {
        var release = await db.Releases.AsNoTracking().SingleAsync(r => r.Id == context.Instance.SubjectId, cancellationToken);
        if (release.State != RunsIn)
        {
            return $"Release {release.Number} is {release.State}, not {RunsIn}: nothing to do.";
        }

        await leases.AcquireAsync(release.ProgramId, cancellationToken);
        try
        {
            var (trigger, data, outcome) = await StepAsync(release, cancellationToken);
            var result = await runtime.FireAsync(context.FollowUp(trigger, data), cancellationToken);
            await AfterAsync(release, context, cancellationToken);
            return $"{outcome} {result.Message}";
        }
        finally
        {
            await leases.ReleaseAsync(release.ProgramId, cancellationToken);
        }
    }

    /// <summary>Does the step (or finds it done) and says which trigger to fire with which data.</summary>
    protected abstract Task<(string Trigger, IReadOnlyDictionary<string, string> Data, string Outcome)> StepAsync(Release release, CancellationToken cancellationToken);

    /// <summary>What follows the transition (nothing by default).</summary>
    protected virtual Task AfterAsync(Release release, WorkflowJobContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    protected static IReadOnlyDictionary<string, string> NoData { get; } = new Dictionary<string, string>();
}

/// <summary><c>freeze-release</c>: collects the release's items and stages its package (objects, metadata, notes).</summary>
public sealed class FreezeReleaseJob(MidrcDbContext db, ReleaseLeases leases, WorkflowRuntime runtime, ReleaseBuilder builder, ReleaseFaults faults)
    : ReleaseJob(db, leases, runtime)
{
    public override string Name => "freeze-release";

    protected override ReleaseState RunsIn => ReleaseState.Frozen;

    protected override async Task<(string, IReadOnlyDictionary<string, string>, string)> StepAsync(Release release, CancellationToken cancellationToken)
    {
        if (release.BuildStep == ReleaseBuildStep.None)
        {
            await builder.CollectAsync(release, cancellationToken);
            faults.Reached("collected");
        }

        if (release.BuildStep == ReleaseBuildStep.Collected)
        {
            await builder.StageAsync(release, cancellationToken);
            faults.Reached("staged");
        }

        return ("package-built", NoData, $"Release {release.Number} collected and staged.");
    }
}

/// <summary><c>verify-release</c>: re-reads every staged object (SHA-256 and de-identification) and writes the manifests.</summary>
public sealed class VerifyReleaseJob(MidrcDbContext db, ReleaseLeases leases, WorkflowRuntime runtime, ReleaseBuilder builder, ReleaseFaults faults, ReleaseNotifier notifier, IOptions<ReleaseOptions> options)
    : ReleaseJob(db, leases, runtime)
{
    private readonly WorkflowRuntime _runtime = runtime;

    public override string Name => "verify-release";

    protected override ReleaseState RunsIn => ReleaseState.Verifying;

    protected override async Task<(string, IReadOnlyDictionary<string, string>, string)> StepAsync(Release release, CancellationToken cancellationToken)
    {
        if (release.BuildStep == ReleaseBuildStep.Staged)
        {
            await builder.VerifyAsync(release, cancellationToken);
            faults.Reached("verified");
        }

        var passed = release.FailureReason is null;
        return ("verification-finished", new Dictionary<string, string> { ["release-verification"] = passed ? "passed" : "failed" },
            passed ? $"Release {release.Number} verified." : $"Release {release.Number} failed verification: {release.FailureReason}");
    }

    protected override async Task AfterAsync(Release release, WorkflowJobContext context, CancellationToken cancellationToken)
    {
        if (release.FailureReason is not null)
        {
            await notifier.FailedAsync(release, cancellationToken);
        }
        else if (!options.Value.RequireApproval)
        {
            await _runtime.FireAsync(new FireRequest(context.Instance.Id, "auto-approve", Actor.System, $"{context.FollowUpKey}:auto-approve"), cancellationToken);
        }
    }
}

/// <summary><c>publish-release</c>: renames the verified package into place, tells sites and program managers, opens the next release.</summary>
public sealed class PublishReleaseJob(MidrcDbContext db, ReleaseLeases leases, WorkflowRuntime runtime, ReleaseBuilder builder, ReleaseFaults faults, ReleaseNotifier notifier, ReleaseCalendar calendar)
    : ReleaseJob(db, leases, runtime)
{
    public override string Name => "publish-release";

    protected override ReleaseState RunsIn => ReleaseState.Publishing;

    protected override async Task<(string, IReadOnlyDictionary<string, string>, string)> StepAsync(Release release, CancellationToken cancellationToken)
    {
        if (release.BuildStep == ReleaseBuildStep.Verified)
        {
            builder.Publish(release);
            await notifier.PublishedAsync(release, cancellationToken);
            faults.Reached("notified");
        }

        return ("publication-finished", NoData, $"Release {release.Number} published in {builder.PublishedFolder(release.Number)}.");
    }

    protected override Task AfterAsync(Release release, WorkflowJobContext context, CancellationToken cancellationToken) =>
        calendar.EnsureCurrentAsync(release.ProgramId, cancellationToken);
}
