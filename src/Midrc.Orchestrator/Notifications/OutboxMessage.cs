using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Notifications;

/// <summary>Where an email is on its way out.</summary>
public enum OutboxStatus
{
    Pending,
    Sent,
    Failed,

    /// <summary>Held for the recipient's daily digest.</summary>
    Digested,
}

/// <summary>
/// An email written in the same transaction as the state change that caused it. The sender job
/// delivers it at most once per idempotency key.
/// </summary>
public sealed class OutboxMessage : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Unique: the same cause never produces two messages.</summary>
    public required string IdempotencyKey { get; init; }
    public required string ToAddress { get; set; }
    public string ToName { get; set; } = "";
    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public required string HtmlBody { get; set; }
    public string Template { get; set; } = "";
    public Guid? SiteId { get; set; }
    public OutboxStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>For a <see cref="OutboxStatus.Digested"/> message: the digest that carried it; null while it is held.</summary>
    public Guid? DigestId { get; set; }
    public long Version { get; set; }
}
