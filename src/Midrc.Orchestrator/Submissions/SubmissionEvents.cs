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

    /// <summary>
    /// Of the given submissions, each left where indexing its latest round put it, those whose round the rest of the
    /// system has not heard of yet (the process stopped between indexing and reporting): reporting them again is due.
    /// </summary>
    Task<IReadOnlyList<Guid>> UnreportedAsync(IReadOnlyCollection<Guid> submissionIds, CancellationToken cancellationToken);
}
