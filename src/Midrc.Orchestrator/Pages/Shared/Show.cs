using System.Globalization;
using System.Text.RegularExpressions;
using Midrc.Curation.Reports;

namespace Midrc.Orchestrator.Pages.Shared;

/// <summary>How values read on the pages: dates in the viewer's time zone, durations and names in plain words.</summary>
public static partial class Show
{
    /// <summary>E.g. "Tue 24 Nov 2026, 17:50" in <paramref name="zone"/>.</summary>
    public static string When(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>E.g. "Tue 24 Nov 2026" in <paramref name="zone"/>.</summary>
    public static string Day(DateTimeOffset at, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(at, zone).ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>"in 3 days", "2 days ago", "today".</summary>
    public static string Relative(DateTimeOffset at, DateTimeOffset now)
    {
        var days = (int)Math.Round((at - now).TotalDays);
        return days switch
        {
            0 => "today",
            > 0 => $"in {Plural.Count(days, "day")}",
            _ => $"{Plural.Count(-days, "day")} ago",
        };
    }

    /// <summary>"120 days", "5 hours", "less than an hour".</summary>
    public static string Duration(TimeSpan span) => span.TotalDays >= 1
        ? Plural.Count((int)span.TotalDays, "day")
        : span.TotalHours >= 1 ? Plural.Count((int)span.TotalHours, "hour") : "less than an hour";

    /// <summary>An enum member as words: <c>AwaitingFixes</c> → "Awaiting fixes".</summary>
    public static string Words<T>(T value) where T : struct, Enum
    {
        var words = WordBoundary().Replace(value.ToString(), " $1").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary>A CSS class naming an enum member, for its badge colour: <c>AwaitingFixes</c> → "awaiting-fixes".</summary>
    public static string Css<T>(T value) where T : struct, Enum => WordBoundary().Replace(value.ToString(), "-$1").ToLowerInvariant();

    [GeneratedRegex("(?<=[a-z])([A-Z])")]
    private static partial Regex WordBoundary();
}
