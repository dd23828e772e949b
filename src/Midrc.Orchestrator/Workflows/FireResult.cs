namespace Midrc.Orchestrator.Workflows;

/// <summary>What became of a request to fire a trigger.</summary>
public enum FireOutcome
{
    /// <summary>The transition was made, with its side effects.</summary>
    Fired,

    /// <summary>The same idempotency key was seen before: the original result, nothing new done.</summary>
    Replayed,

    /// <summary>Someone else moved the instance first; nothing was done.</summary>
    Conflict,

    /// <summary>The actor's roles do not allow the trigger.</summary>
    Forbidden,

    /// <summary>The trigger is not possible now (wrong state, or a condition does not hold).</summary>
    NotPossible,

    /// <summary>No such instance.</summary>
    NotFound,
}

/// <summary>The outcome of firing a trigger, with the state the instance is in and a sentence for the person who asked.</summary>
public sealed record FireResult(FireOutcome Outcome, string State, string Message, Guid? JournalEntryId = null)
{
    public bool Changed => Outcome == FireOutcome.Fired;

    public static FireResult Conflict(string state, string message) => new(FireOutcome.Conflict, state, message);
}

/// <summary>A request to fire <see cref="Trigger"/> on an instance, once per <see cref="IdempotencyKey"/>.</summary>
public sealed record FireRequest(Guid InstanceId, string Trigger, Actor Actor, string IdempotencyKey)
{
    /// <summary>Why, in the person's words; kept in the journal and offered to email templates.</summary>
    public string? Reason { get; init; }

    /// <summary>The state the person saw when they chose the trigger; a different current state is a conflict.</summary>
    public string? ExpectedState { get; init; }

    /// <summary>Instance data to record in the same transaction, before guards are evaluated (jobs report results this way).</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }

    /// <summary>The durable timer this firing consumes; claimed in the same transaction so two nodes never both fire it.</summary>
    public Guid? TimerId { get; init; }
}

/// <summary>Starts the workflow <see cref="DefinitionId"/> (its newest version) for a subject, once per definition and subject.</summary>
public sealed record StartRequest(string DefinitionId, Guid SubjectId, Guid? SiteId, Actor Actor)
{
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}
