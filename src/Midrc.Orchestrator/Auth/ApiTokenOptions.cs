namespace Midrc.Orchestrator.Auth;

/// <summary>Settings under <c>Midrc:ApiTokens</c>: how hard sites' machines may press on the token-authenticated channels.</summary>
public sealed class ApiTokenOptions
{
    public const string Section = "Midrc:ApiTokens";

    /// <summary>
    /// Requests with an unknown or revoked token accepted from one client address per <see cref="ApiTokenThrottle.FailureWindow"/>;
    /// past it, every token request from that address is refused until the window ends.
    /// </summary>
    public int FailuresPerAddress { get; set; } = 20;

    /// <summary>Requests one token may make per second, on average.</summary>
    public int RequestsPerSecond { get; set; } = 1000;

    /// <summary>Requests one token may make at once above the average (a resumed upload's first burst).</summary>
    public int Burst { get; set; } = 5000;
}
