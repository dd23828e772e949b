using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Audit;

/// <summary>What the audit log page asks for: a site's code, an action, part of a person's email, a range of days in the viewer's time zone.</summary>
public sealed record AuditFilter(string? Site, string? Action, string? Person, DateOnly? From, DateOnly? To, int Page);

/// <summary>An audit event as the page lists it, with its site's code.</summary>
public sealed record AuditRow(DateTimeOffset At, string Actor, string Action, string EntityType, string EntityId, string? SiteCode, string Details);

/// <summary>One page of events, newest first.</summary>
public sealed record AuditPage(IReadOnlyList<AuditRow> Rows, int Page, bool HasNext);

/// <summary>Reads the append-only audit trail for program managers: filtered, paged, newest first.</summary>
public sealed class AuditLog(MidrcDbContext db)
{
    public const int PageSize = 50;

    public async Task<AuditPage> ReadAsync(AuditFilter filter, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var events = db.AuditEvents.AsNoTracking();
        if (filter.Site is { Length: > 0 } code)
        {
            var siteId = await db.Sites.Where(s => s.Code == code).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken);
            events = events.Where(e => e.SiteId == siteId);
        }
        if (filter.Action is { Length: > 0 } action)
        {
            events = events.Where(e => e.Action == action);
        }
        if (filter.Person is { Length: > 0 } person)
        {
            events = events.Where(e => e.Actor.Contains(person.Trim()));
        }
        if (filter.From is { } from)
        {
            var start = StartOf(from, zone);
            events = events.Where(e => e.At >= start);
        }
        if (filter.To is { } to)
        {
            var end = StartOf(to.AddDays(1), zone);
            events = events.Where(e => e.At < end);
        }
        var page = Math.Max(1, filter.Page);
        var found = await events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((page - 1) * PageSize).Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        var siteIds = found.Where(e => e.SiteId is not null).Select(e => e.SiteId!.Value).Distinct().ToList();
        var codes = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Code, cancellationToken);
        var rows = found.Take(PageSize)
            .Select(e => new AuditRow(e.At, e.Actor, e.Action, e.EntityType, e.EntityId, e.SiteId is { } id ? codes.GetValueOrDefault(id) : null, e.Details))
            .ToList();
        return new AuditPage(rows, page, found.Count > PageSize);
    }

    /// <summary>Every action recorded so far, for the filter's choices.</summary>
    public Task<List<string>> ActionsAsync(CancellationToken cancellationToken) =>
        db.AuditEvents.AsNoTracking().Select(e => e.Action).Distinct().OrderBy(a => a).ToListAsync(cancellationToken);

    /// <summary>Midnight of <paramref name="day"/> in <paramref name="zone"/>, in UTC.</summary>
    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUniversalTime();
    }
}
