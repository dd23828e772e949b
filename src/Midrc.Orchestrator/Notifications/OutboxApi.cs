using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
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

/// <summary>The program managers' view of the outbox: failed messages, resending, and the pickup folder of the embedded default.</summary>
public static class OutboxApi
{
    /// <summary>The most messages a list shows.</summary>
    public const int ListLimit = 500;

    /// <summary>The newest messages, of one status or all; what the API and the outbox page list.</summary>
    public static Task<List<OutboxMessage>> NewestAsync(this IQueryable<OutboxMessage> outbox, OutboxStatus? status, CancellationToken cancellationToken) =>
        outbox.AsNoTracking().Where(m => status == null || m.Status == status).OrderByDescending(m => m.CreatedAt).Take(ListLimit).ToListAsync(cancellationToken);

    public static IEndpointRouteBuilder MapOutbox(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/outbox").WithTags("Outbox").RequireAuthorization(MidrcPolicies.ProgramManager);

        group.MapGet("/", async Task<Results<Ok<List<OutboxMessageSummary>>, ValidationProblem>> (string? status, MidrcDbContext db, CancellationToken ct) =>
        {
            OutboxStatus? wanted = null;
            if (status is { Length: > 0 })
            {
                if (!Enum.TryParse<OutboxStatus>(status, ignoreCase: true, out var parsed) || int.TryParse(status, out _))
                {
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["status"] = [$"'{status}' is not a status; use one of: {string.Join(", ", Enum.GetNames<OutboxStatus>().Select(n => n.ToLowerInvariant()))}."],
                    });
                }
                wanted = parsed;
            }
            return TypedResults.Ok((await db.Outbox.NewestAsync(wanted, ct)).Select(OutboxMessageSummary.Of).ToList());
        }).WithSummary("Lists outbox messages, newest first; ?status=failed shows what needs attention.");

        group.MapPost("/{id:guid}/resend", async Task<Results<Accepted<OutboxMessageSummary>, NotFound, Conflict<string>>> (
            Guid id, HttpContext http, OutboxResend resend, CancellationToken ct) =>
        {
            var result = await resend.ResendAsync(id, http.User.Identity?.Name ?? "", ct);
            return result.Outcome switch
            {
                ResendOutcome.NotFound => TypedResults.NotFound(),
                ResendOutcome.Resent => TypedResults.Accepted($"/api/outbox/{id}", OutboxMessageSummary.Of(result.Message!)),
                _ => TypedResults.Conflict(result.Explanation),
            };
        })
            .WithSummary("Sends a failed message again from its first attempt; recorded in the audit trail.");

        group.MapGet("/pickup", Results<Ok<IReadOnlyList<PickupFile>>, NotFound<string>> (PickupMail pickup) => pickup.InUse
            ? TypedResults.Ok(pickup.List())
            : TypedResults.NotFound("Mail is sent through the SMTP server of Midrc:Smtp:Host; there is no pickup folder."))
            .WithSummary("Lists the .eml files written to the pickup folder when no SMTP host is set (the embedded default).");

        group.MapGet("/pickup/{name}", Results<PhysicalFileHttpResult, NotFound> (string name, PickupMail pickup) =>
            pickup.PathOf(name) is { } path ? TypedResults.PhysicalFile(path, "message/rfc822", name) : TypedResults.NotFound())
            .WithSummary("Downloads one .eml file of the pickup folder, to open in a mail program.");

        return app;
    }
}
