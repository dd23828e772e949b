namespace Midrc.Orchestrator.Auth;

/// <summary>Settings under <c>Midrc:SignIn</c>.</summary>
public sealed class SignInOptions
{
    public const string Section = "Midrc:SignIn";

    /// <summary>
    /// Sign-in form posts (asking for a link, using one) accepted from one client address per <see cref="SignInThrottle.Window"/>.
    /// Raise it when many people reach the orchestrator through one address (a proxy, a hospital's NAT).
    /// </summary>
    public int PerAddressLimit { get; set; } = 30;
}
