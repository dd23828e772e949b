using Cronos;

namespace Midrc.Workflows.Timing;

/// <summary>
/// When timers, deadlines and schedules fall due. Dates move in the subject's local calendar (so "P1D" keeps
/// the time of day across a daylight-saving change) while hours, minutes and seconds are elapsed time.
/// </summary>
public static class DueTimes
{
    /// <summary>Finds an IANA (or Windows) time zone by id.</summary>
    public static bool TryFindTimeZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        return !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }

    /// <summary>Finds a time zone by id or throws an error naming it.</summary>
    public static TimeZoneInfo FindTimeZone(string id) =>
        TryFindTimeZone(id, out var zone) ? zone : throw new ArgumentException($"'{id}' is not a known time zone; use an IANA name such as America/Chicago.", nameof(id));

    /// <summary>
    /// <paramref name="start"/> plus <paramref name="duration"/> read in <paramref name="zone"/>; with
    /// <paramref name="businessDays"/> the days (weeks count five) skip Saturdays and Sundays.
    /// A local time that falls in a spring-forward gap moves forward by the gap; an ambiguous one takes the earlier instant.
    /// </summary>
    public static DateTimeOffset Add(DateTimeOffset start, IsoDuration duration, TimeZoneInfo zone, bool businessDays = false) =>
        Move(start, duration, zone, businessDays, 1);

    /// <summary><paramref name="start"/> minus <paramref name="duration"/>, with the same rules as <see cref="Add"/>.</summary>
    public static DateTimeOffset Subtract(DateTimeOffset start, IsoDuration duration, TimeZoneInfo zone, bool businessDays = false) =>
        Move(start, duration, zone, businessDays, -1);

    /// <summary>The first occurrence of a Cronos expression strictly after <paramref name="after"/>, read in <paramref name="zone"/>; null when there is none.</summary>
    public static DateTimeOffset? NextOccurrence(string cron, DateTimeOffset after, TimeZoneInfo zone) =>
        CronExpression.Parse(cron).GetNextOccurrence(after, zone);

    /// <summary>True when the text is a valid five-field Cronos expression.</summary>
    public static bool IsValidCron(string? cron) => cron is not null && CronExpression.TryParse(cron, out _);

    private static DateTimeOffset Move(DateTimeOffset start, IsoDuration duration, TimeZoneInfo zone, bool businessDays, int direction)
    {
        if (businessDays && duration.HasCalendarMonths)
        {
            throw new ArgumentException($"'{duration.Text}' has months or years, which cannot be counted in business days.", nameof(duration));
        }

        var local = TimeZoneInfo.ConvertTime(start, zone).DateTime;
        if (businessDays)
        {
            local = AddBusinessDays(local, ((duration.Weeks * 5) + duration.Days) * direction);
        }
        else
        {
            local = local.AddYears(duration.Years * direction).AddMonths(duration.Months * direction).AddDays(duration.TotalDays * direction);
        }

        var instant = ToInstant(local, zone) + (duration.TimeOfDayPart * direction);
        return TimeZoneInfo.ConvertTime(instant, zone);
    }

    private static DateTime AddBusinessDays(DateTime local, int days)
    {
        var step = Math.Sign(days);
        for (var remaining = Math.Abs(days); remaining > 0; remaining--)
        {
            do
            {
                local = local.AddDays(step);
            }
            while (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday);
        }

        return local;
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Read the skipped wall time with the offset in force just before the gap, which lands after it.
            var offsetBeforeGap = zone.GetUtcOffset(local.AddHours(-6));
            return new DateTimeOffset(local, offsetBeforeGap);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}
