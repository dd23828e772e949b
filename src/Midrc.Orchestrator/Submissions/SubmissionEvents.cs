namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// What the intake tells the rest of the system once a round of a submission is indexed and its findings recorded.
/// The workflow feature implements it; every implementation must be safe to call twice (jobs are at-least-once).
/// </summary>
public interface ISubmissionEvents
{
    /// <summary>The submission's first round is durably stored and indexed.</summary>
    Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken);

    /// <summary>A round of corrected files (<paramref name="round"/> &gt; 1) is indexed and checked again.</summary>
    Task ResubmittedAsync(Guid submissionId, int round, CancellationToken cancellationToken);
}
