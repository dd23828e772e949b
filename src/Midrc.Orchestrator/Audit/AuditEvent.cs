namespace Midrc.Orchestrator.Audit;

/// <summary>
/// One action that changed state: who did what to which thing, and when. Append-only: the context
/// refuses to update or delete audit events.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }

    /// <summary>The person's email, <c>system</c>, or <c>token:PREFIX</c> for a site's API token.</summary>
    public required string Actor { get; init; }

    /// <summary>A dotted verb, e.g. <c>site.invited</c>, <c>token.created</c>, <c>finding.waived</c>.</summary>
    public required string Action { get; init; }
    public required string EntityType { get; init; }
    public required string EntityId { get; init; }
    public Guid? SiteId { get; init; }

    /// <summary>Details as JSON; never patient data.</summary>
    public string Details { get; init; } = "{}";
}
