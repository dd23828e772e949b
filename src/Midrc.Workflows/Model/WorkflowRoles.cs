namespace Midrc.Workflows.Model;

/// <summary>The roles a transition may be allowed for, spelled as in the definition files.</summary>
public static class WorkflowRoles
{
    /// <summary>Runs the program: invites sites, sends requests, grants waivers, approves releases.</summary>
    public const string ProgramManager = "program-manager";

    /// <summary>Answers requests, uploads data and fixes findings for one site.</summary>
    public const string SiteCoordinator = "site-coordinator";

    /// <summary>The orchestrator itself: background jobs, timers and schedules.</summary>
    public const string System = "system";

    /// <summary>Every role a definition may name.</summary>
    public static IReadOnlyList<string> All { get; } = [ProgramManager, SiteCoordinator, System];

    /// <summary>The role as a program manager would say it, with its article ("a program manager").</summary>
    public static string Describe(string role) => role switch
    {
        ProgramManager => "a program manager",
        SiteCoordinator => "a site coordinator",
        System => "the system",
        _ => role,
    };
}
