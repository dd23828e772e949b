namespace Midrc.Orchestrator.Jobs;

/// <summary>Settings under <c>Midrc:Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Midrc:Jobs";

    /// <summary>Run a Hangfire server in this process (turn off for a web-only node).</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Background workers in this process.</summary>
    public int WorkerCount { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>How often a server looks for new jobs in database storage.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
