using Midrc.Workflows.Model;
using Midrc.Workflows.Runtime;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// Who fires a trigger: a person (by email) with the roles they hold, or the orchestrator itself (timers and jobs).
/// A person may hold several roles; a trigger is permitted when any of them permits it.
/// </summary>
public sealed record Actor(string Name, bool IsProgramManager, IReadOnlySet<Guid> CoordinatedSites, bool IsSystem = false)
{
    /// <summary>Timers, schedules and background jobs.</summary>
    public static Actor System { get; } = new(WorkflowRoles.System, false, new HashSet<Guid>(), IsSystem: true);

    /// <summary>The definition roles this actor acts in on an instance of <paramref name="siteId"/>, most specific first.</summary>
    public IReadOnlyList<WorkflowActor> RolesFor(Guid? siteId)
    {
        var roles = new List<WorkflowActor>();
        if (IsSystem)
        {
            roles.Add(new WorkflowActor(WorkflowRoles.System, true));
        }

        if (CoordinatedSites.Count > 0)
        {
            roles.Add(new WorkflowActor(WorkflowRoles.SiteCoordinator, siteId is { } site && CoordinatedSites.Contains(site)));
        }

        if (IsProgramManager)
        {
            roles.Add(new WorkflowActor(WorkflowRoles.ProgramManager, true));
        }

        // Someone without a role still gets the engine's plain "only a program manager can ..." answer.
        return roles.Count > 0 ? roles : [new WorkflowActor("", false)];
    }

    /// <summary>True when the actor may see instances of <paramref name="siteId"/>.</summary>
    public bool CanSee(Guid? siteId) => IsSystem || IsProgramManager || (siteId is { } site && CoordinatedSites.Contains(site));
}
