using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Sites;

/// <summary>The data collection program (e.g. MIDRC's COVID-19 collection): sites, requests and releases belong to one.</summary>
public sealed class CollectionProgram
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Code { get; set; }
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public List<Site> Sites { get; init; } = [];
}

/// <summary>Where a site is in the program; the site-onboarding workflow moves it along.</summary>
public enum SiteStage
{
    Invited,
    Onboarding,
    Active,
    Paused,
    Withdrawn,
}

/// <summary>A contributing institution.</summary>
public sealed class Site : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ProgramId { get; set; }
    public CollectionProgram? Program { get; set; }

    /// <summary>Short, stable, human code (e.g. <c>UCH</c>); also the prefix of the site's pseudonyms.</summary>
    public required string Code { get; set; }
    public required string Name { get; set; }
    public required string Institution { get; set; }

    /// <summary>ISO 3166-1 alpha-2 country code.</summary>
    public required string Country { get; set; }

    /// <summary>IANA time zone used for deadlines, reminders and dates shown to the site.</summary>
    public required string TimeZone { get; set; }
    public SiteStage Stage { get; set; }
    public DateTimeOffset StageChangedAt { get; set; }

    /// <summary>How many exams the site has agreed to contribute in total.</summary>
    public int TargetExams { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public long Version { get; set; }
}
