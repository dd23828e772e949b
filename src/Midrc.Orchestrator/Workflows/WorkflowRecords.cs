using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Workflows;

/// <summary>A running (or finished) workflow: one definition version applied to one subject (a site, request, submission or release).</summary>
public sealed class WorkflowInstance : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string DefinitionId { get; set; }

    /// <summary>Instances stay on the version they started with until migrated.</summary>
    public int DefinitionVersion { get; set; }

    /// <summary>What the workflow is about: <c>site</c>, <c>solicitation</c>, <c>submission</c> or <c>release</c>.</summary>
    public required string SubjectType { get; set; }
    public Guid SubjectId { get; set; }

    /// <summary>The site the subject belongs to, so coordinators see only their own site's workflows.</summary>
    public Guid? SiteId { get; set; }

    /// <summary>The current innermost state (state ids are unique across nesting levels), e.g. <c>checking-test-transfer</c>.</summary>
    public required string State { get; set; }
    public bool IsFinished { get; set; }

    /// <summary>The instance's data as JSON (counts, names the templates use, ...).</summary>
    public string DataJson { get; set; } = "{}";

    /// <summary>Deadlines set by the definition's actions, as JSON: name to due instant.</summary>
    public string DeadlinesJson { get; set; } = "{}";

    /// <summary>IANA time zone of the subject (the site's), in which calendar and business days are counted.</summary>
    public string TimeZone { get; set; } = "UTC";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<WorkflowJournalEntry> Journal { get; init; } = [];
    public List<WorkflowTimer> Timers { get; init; } = [];
    public long Version { get; set; }
}

/// <summary>One transition, as it happened: who, when, from, to, trigger, reason. Never changed after it is written.</summary>
public sealed class WorkflowJournalEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; set; }
    public WorkflowInstance? Instance { get; set; }
    public DateTimeOffset At { get; init; }

    /// <summary>The person's email, or <c>system</c> for timers and jobs.</summary>
    public required string Actor { get; init; }
    public required string FromState { get; init; }
    public required string ToState { get; init; }
    public required string Trigger { get; init; }
    public string Reason { get; init; } = "";

    /// <summary>The definition's past-tense phrase for the transition, e.g. "Data use agreement signed".</summary>
    public string Summary { get; init; } = "";

    /// <summary>
    /// Unique: a retried job or a double click with the same key finds the transition already made
    /// instead of making it twice.
    /// </summary>
    public required string IdempotencyKey { get; init; }
}

/// <summary>Whether a timer is still to fire.</summary>
public enum TimerStatus
{
    Pending,
    Fired,
    Cancelled,
}

/// <summary>A durable timer: fires a trigger on its instance when due. The database, not the job queue, is its truth.</summary>
public sealed class WorkflowTimer : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; set; }
    public WorkflowInstance? Instance { get; set; }
    public required string Name { get; set; }
    public required string Trigger { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public TimerStatus Status { get; set; }
    public DateTimeOffset? FiredAt { get; set; }

    /// <summary>How many more times the timer fires after this one, one interval apart.</summary>
    public int RepeatsLeft { get; set; }
    public long Version { get; set; }
}

/// <summary>Whether a named job asked for by a transition has done its work.</summary>
public enum WorkflowJobStatus
{
    Pending,
    Done,
}

/// <summary>
/// A named background job a transition asked for (<c>enqueue: run-qa-checks</c>), written in the same
/// transaction as the transition. Hangfire runs it; the reconciler enqueues it again when no live job has it.
/// </summary>
public sealed class WorkflowJobIntent : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid InstanceId { get; set; }
    public WorkflowInstance? Instance { get; set; }
    public required string Job { get; init; }

    /// <summary>Unique: the journal entry and the action's position, so a replayed transition never asks twice.</summary>
    public required string IdempotencyKey { get; init; }
    public WorkflowJobStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The Hangfire job last enqueued for it, so the reconciler can tell whether it is still alive.</summary>
    public string? BackgroundJobId { get; set; }
    public string? Outcome { get; set; }
    public long Version { get; set; }
}
