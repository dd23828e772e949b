using Cronos;

namespace Midrc.Orchestrator.Releases;

/// <summary>Settings under <c>Midrc:Releases</c>: when releases freeze, what is held back, and how builds share the work.</summary>
public sealed class ReleaseOptions
{
    public const string Section = "Midrc:Releases";

    /// <summary>When the open release freezes: a cron expression (5 fields, or 6 with seconds), e.g. <c>0 6 * * MON#1</c>.</summary>
    public string Schedule { get; set; } = "0 6 * * MON#1";

    /// <summary>The IANA time zone the schedule is read in.</summary>
    public string TimeZone { get; set; } = "America/Chicago";

    /// <summary>A verified release waits for a program manager's approval; when false it is published as soon as it is verified.</summary>
    public bool RequireApproval { get; set; } = true;

    /// <summary>The share of cases (0 to 0.5) held back from the open release in the sequestered part; 0 turns the split off.</summary>
    public double SequesteredFraction { get; set; }

    /// <summary>The seed of the split's hash: the same seed gives the same split.</summary>
    public string SequesterSeed { get; set; } = "midrc-sequestered";

    /// <summary>How long a build's lease lasts without renewal; a crashed process's build is taken over after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Items read from the database and copied per batch: memory stays flat whatever the release's size.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>For crash tests only: the build step (see <see cref="ReleaseFaults"/>) at which the process dies.</summary>
    public string FailAt { get; set; } = "";

    /// <summary>The schedule parsed; seconds are allowed when six fields are given.</summary>
    public CronExpression Cron() => CronExpression.Parse(Schedule, Schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);

    /// <summary>Every problem with the settings, one sentence each.</summary>
    public IEnumerable<string> Problems()
    {
        string? cronProblem = null;
        try
        {
            Cron();
        }
        catch (CronFormatException e)
        {
            cronProblem = $"Setting {Section}:Schedule '{Schedule}' is not a valid cron expression ({e.Message}); e.g. \"0 6 * * MON#1\" is 06:00 on the first Monday of each month.";
        }

        if (cronProblem is not null)
        {
            yield return cronProblem;
        }

        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
        {
            yield return $"Setting {Section}:TimeZone '{TimeZone}' is not a known time zone; give an IANA name such as America/Chicago.";
        }

        if (double.IsNaN(SequesteredFraction) || SequesteredFraction is < 0 or > 0.5)
        {
            yield return $"Setting {Section}:SequesteredFraction must be between 0 (no sequestered part) and 0.5.";
        }

        if (string.IsNullOrWhiteSpace(SequesterSeed))
        {
            yield return $"Setting {Section}:SequesterSeed is empty; any fixed text will do, and changing it changes which cases are held back.";
        }

        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > TimeSpan.FromHours(1))
        {
            yield return $"Setting {Section}:LeaseDuration must be between 00:00:01 and 01:00:00.";
        }

        if (BatchSize is < 1 or > 100_000)
        {
            yield return $"Setting {Section}:BatchSize must be between 1 and 100000.";
        }

        if (FailAt.Length > 0 && !ReleaseFaults.Steps.Contains(FailAt))
        {
            yield return $"Setting {Section}:FailAt '{FailAt}' names no build step; use one of {string.Join(", ", ReleaseFaults.Steps)}, or leave it empty.";
        }
    }
}

/// <summary>
/// Named points in a release build where a crash test may kill the process (<c>Midrc:Releases:FailAt</c>), to prove
/// that a build resumes from any of them and ends with the same package.
/// </summary>
public sealed class ReleaseFaults(Microsoft.Extensions.Options.IOptions<ReleaseOptions> options)
{
    /// <summary>The steps, in build order.</summary>
    public static IReadOnlyList<string> Steps { get; } = ["collected", "copying", "staged", "verifying", "verified", "renamed", "notified"];

    /// <summary>Dies at once, as a power cut would, when the setting names <paramref name="step"/>.</summary>
    public void Reached(string step)
    {
        if (options.Value.FailAt == step)
        {
            Environment.FailFast($"Release build stopped at '{step}' (Midrc:Releases:FailAt).");
        }
    }
}
