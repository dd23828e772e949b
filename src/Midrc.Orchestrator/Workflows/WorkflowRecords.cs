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

    /// <summary>The current state; nested states as a dotted path, e.g. <c>onboarding.test-transfer</c>.</summary>
    public required string State { get; set; }
    public bool IsFinished { get; set; }

    /// <summary>The instance's data as JSON (counts, names the templates use, ...).</summary>
    public string DataJson { get; set; } = "{}";
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
    public long Version { get; set; }
}
