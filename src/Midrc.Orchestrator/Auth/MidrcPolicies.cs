using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Auth;

/// <summary>The authorization policies of pages and endpoints.</summary>
public static class MidrcPolicies
{
    /// <summary>Anyone signed in; what each may see of a site is decided by <see cref="MidrcUser.VisibleTo"/>.</summary>
    public const string SignedIn = "SignedIn";

    /// <summary>Program managers and admins: the whole program, the outbox, the jobs dashboard.</summary>
    public const string ProgramManager = "ProgramManager";

    /// <summary>
    /// A coordinator of at least one site (one <see cref="MidrcUser.SiteClaim"/> per <see cref="Site"/>), or a
    /// program manager; which site is checked with <see cref="MidrcUser.CanSee"/>.
    /// </summary>
    public const string SiteCoordinator = "SiteCoordinator";

    /// <summary>The rate limiter policy of the sign-in forms.</summary>
    public const string SignInRateLimit = "sign-in";
}
