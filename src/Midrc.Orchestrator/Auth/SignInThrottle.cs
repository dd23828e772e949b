using System.Threading.RateLimiting;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Limits sign-in emails per address (the per-address limit of the sign-in form, <see cref="SignInOptions.PerAddressLimit"/>,
/// is a policy of the rate limiter middleware, <see cref="MidrcPolicies.SignInRateLimit"/>): nobody can flood a person's mailbox.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    public const int PerEmailLimit = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> perEmail = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions { PermitLimit = PerEmailLimit, Window = Window, QueueLimit = 0 }));

    /// <summary>True when another link may be sent to this address now.</summary>
    public bool TryAcquire(string email)
    {
        using var lease = perEmail.AttemptAcquire(email.Trim().ToLowerInvariant());
        return lease.IsAcquired;
    }

    public void Dispose() => perEmail.Dispose();
}
