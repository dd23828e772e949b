namespace Midrc.Orchestrator.Auth;

/// <summary>
/// A one-time sign-in link sent by email. Only a SHA-256 hash of its secret is stored; it expires after
/// <see cref="SignInLinks.Lifetime"/> and works once.
/// </summary>
public sealed class SignInLink
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PersonId { get; set; }
    public Person? Person { get; set; }

    /// <summary>Hex SHA-256 of the secret in the link.</summary>
    public required string TokenHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
}
