using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Notifications;

/// <summary>An outbox message as program managers see it in lists.</summary>
public sealed record OutboxMessageSummary(
    Guid Id, string To, string ToName, string Subject, string Template, string Status, int Attempts,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset NextAttemptAt, DateTimeOffset? SentAt)
{
    public static OutboxMessageSummary Of(OutboxMessage m) =>
        new(m.Id, m.ToAddress, m.ToName, m.Subject, m.Template, m.Status.ToString(), m.Attempts, m.LastError, m.CreatedAt, m.NextAttemptAt, m.SentAt);
}

/// <summary>A message written to the pickup folder.</summary>
public sealed record PickupFile(string Name, string Subject, string To, DateTimeOffset? Date, long Size);

/// <summary>The program managers' view of the outbox: failed messages, resending, and the pickup folder of the embedded default.</summary>
public static class OutboxApi
{
    private const int ListLimit = 500;

    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/outbox").WithTags("Outbox").RequireAuthorization(MidrcPolicies.ProgramManager);

        group.MapGet("/", async Task<Results<Ok<List<OutboxMessageSummary>>, ValidationProblem>> (string? status, MidrcDbContext db, CancellationToken ct) =>
        {
            var query = db.Outbox.AsNoTracking();
            if (status is { Length: > 0 })
            {
                if (!Enum.TryParse<OutboxStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["status"] = [$"'{status}' is not a status; use one of: {string.Join(", ", Enum.GetNames<OutboxStatus>().Select(n => n.ToLowerInvariant()))}."],
                    });
                }
                query = query.Where(m => m.Status == wanted);
            }
            var messages = await query.OrderByDescending(m => m.CreatedAt).Take(ListLimit).ToListAsync(ct);
            return TypedResults.Ok(messages.Select(OutboxMessageSummary.Of).ToList());
        }).WithSummary("Lists outbox messages, newest first; ?status=failed shows what needs attention.");

        group.MapPost("/{id:guid}/resend", async Task<Results<Accepted<OutboxMessageSummary>, NotFound, Conflict<string>>> (
            Guid id, HttpContext http, MidrcDbContext db, AuditTrail audit, TimeProvider clock, IBackgroundJobClient jobs, CancellationToken ct) =>
        {
            var message = await db.Outbox.FindAsync([id], ct);
            if (message is null)
            {
                return TypedResults.NotFound();
            }
            if (message.Status != OutboxStatus.Failed)
            {
                return TypedResults.Conflict($"Only failed messages can be resent; this one is {message.Status.ToString().ToLowerInvariant()}.");
            }
            var previousError = message.LastError;
            message.Status = OutboxStatus.Pending;
            message.Attempts = 0;
            message.NextAttemptAt = clock.GetUtcNow();
            message.LastError = null;
            audit.Record(Actor(http), "outbox.resend", "OutboxMessage", message.Id.ToString(), message.SiteId, new { message.ToAddress, message.Subject, previousError });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                return TypedResults.Conflict("Someone else changed this message at the same time; reload and try again.");
            }
            jobs.Enqueue<OutboxSender>(s => s.SendDueAsync(CancellationToken.None));
            return TypedResults.Accepted($"/api/outbox/{message.Id}", OutboxMessageSummary.Of(message));
        }).WithSummary("Sends a failed message again from its first attempt; recorded in the audit trail.");

        group.MapGet("/pickup", Results<Ok<List<PickupFile>>, NotFound<string>> (MailDelivery delivery) =>
        {
            if (!delivery.UsesPickupFolder)
            {
                return TypedResults.NotFound("Mail is sent through the SMTP server of Midrc:Smtp:Host; there is no pickup folder.");
            }
            var folder = new DirectoryInfo(delivery.PickupFolder);
            var files = folder.Exists ? folder.GetFiles("*.eml").OrderByDescending(f => f.Name, StringComparer.Ordinal).Take(ListLimit) : [];
            return TypedResults.Ok(files.Select(ReadPickupFile).ToList());
        }).WithSummary("Lists the .eml files written to the pickup folder when no SMTP host is set (the embedded default).");

        group.MapGet("/pickup/{name}", Results<PhysicalFileHttpResult, NotFound> (string name, MailDelivery delivery) =>
        {
            var path = Path.Combine(delivery.PickupFolder, name);
            return delivery.UsesPickupFolder && Path.GetFileName(name) == name && name.EndsWith(".eml", StringComparison.Ordinal) && File.Exists(path)
                ? TypedResults.PhysicalFile(path, "message/rfc822", name)
                : TypedResults.NotFound();
        }).WithSummary("Downloads one .eml file of the pickup folder, to open in a mail program.");

        return app;
    }

    private static string Actor(HttpContext http) => http.User.Identity?.Name ?? "";

    private static PickupFile ReadPickupFile(FileInfo file)
    {
        using var message = MimeMessage.Load(file.FullName);
        return new PickupFile(file.Name, message.Subject ?? "", message.To.ToString(), message.Date == DateTimeOffset.MinValue ? null : message.Date, file.Length);
    }
}
