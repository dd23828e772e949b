using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Rate limits on the channels sites' machines use with an API token: an address that keeps presenting tokens the server
/// does not know is shut out for a while (guessing is pointless against 256-bit tokens, but a misconfigured gateway
/// retrying a revoked token should not hammer the database), and one token cannot take the whole server.
/// </summary>
public sealed class ApiTokenThrottle : IDisposable
{
    public static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _failures;
    private readonly PartitionedRateLimiter<string> _requests;

    public ApiTokenThrottle(IOptions<ApiTokenOptions> options)
    {
        var o = options.Value;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = o.FailuresPerAddress, Window = FailureWindow, QueueLimit = 0 }));
        // Partitions are made only for tokens that authenticated, so unknown tokens cannot grow this one.
        _requests = PartitionedRateLimiter.Create<string, string>(token => RateLimitPartition.GetTokenBucketLimiter(token, _ =>
            new TokenBucketRateLimiterOptions
            {
                TokenLimit = o.Burst,
                TokensPerPeriod = o.RequestsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
            }));
    }

    /// <summary>True when this address has used up its failed attempts; <paramref name="retryAfter"/> says for how long.</summary>
    public bool IsShutOut(string address, out TimeSpan retryAfter)
    {
        // Asking for no permit succeeds while any is left, and fails with the window's remaining time once none is.
        using var lease = _failures.AttemptAcquire(address, permitCount: 0);
        return Refused(lease, FailureWindow, out retryAfter);
    }

    /// <summary>Counts one request with an unknown or revoked token against its address.</summary>
    public void RecordFailure(string address)
    {
        using var lease = _failures.AttemptAcquire(address);
    }

    /// <summary>False when the token has sent more than its share; <paramref name="retryAfter"/> says when to try again.</summary>
    public bool TryAcquire(string token, out TimeSpan retryAfter)
    {
        using var lease = _requests.AttemptAcquire(token);
        return !Refused(lease, TimeSpan.FromSeconds(1), out retryAfter);
    }

    private static bool Refused(RateLimitLease lease, TimeSpan fallback, out TimeSpan retryAfter)
    {
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : fallback;
        return !lease.IsAcquired;
    }

    public void Dispose()
    {
        _failures.Dispose();
        _requests.Dispose();
    }
}
