using System.Text.Json;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Audit;

/// <summary>
/// Records who changed what. Events are added to the caller's unit of work, so they are saved in
/// the same transaction as the change they describe, or not at all.
/// </summary>
public sealed class AuditTrail(MidrcDbContext db, TimeProvider clock)
{
    public AuditEvent Record(string actor, string action, string entityType, string entityId, Guid? siteId = null, object? details = null)
    {
        var e = new AuditEvent
        {
            At = clock.GetUtcNow(),
            Actor = actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            SiteId = siteId,
            Details = details is null ? "{}" : JsonSerializer.Serialize(details),
        };
        db.AuditEvents.Add(e);
        return e;
    }
}
