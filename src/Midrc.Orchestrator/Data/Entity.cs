namespace Midrc.Orchestrator.Data;

/// <summary>
/// An entity that two writers can meet on (two processes, a retried job, a double click): its
/// <see cref="Version"/> is a concurrency token, bumped on every update by <see cref="MidrcDbContext"/>,
/// so the second writer gets a conflict instead of silently overwriting the first.
/// </summary>
public interface IVersioned
{
    long Version { get; set; }
}
