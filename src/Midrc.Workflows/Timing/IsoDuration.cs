using System.Globalization;
using System.Text.RegularExpressions;

namespace Midrc.Workflows.Timing;

/// <summary>An ISO 8601 duration such as <c>P7D</c>, <c>P2W</c>, <c>P1M</c> or <c>PT12H</c>.</summary>
public sealed partial record IsoDuration(int Years, int Months, int Weeks, int Days, int Hours, int Minutes, int Seconds)
{
    /// <summary>The duration as written.</summary>
    public string Text { get; private init; } = "";

    /// <summary>True when the duration has years or months, which have no length in business days.</summary>
    public bool HasCalendarMonths => Years != 0 || Months != 0;

    /// <summary>The date part in days (weeks count as seven days).</summary>
    public int TotalDays => (Weeks * 7) + Days;

    /// <summary>The time part (hours, minutes, seconds), which is always elapsed time.</summary>
    public TimeSpan TimeOfDayPart => new(Hours, Minutes, Seconds);

    /// <summary>Reads an ISO 8601 duration; returns false for anything else.</summary>
    public static bool TryParse(string? text, out IsoDuration duration)
    {
        duration = new IsoDuration(0, 0, 0, 0, 0, 0, 0);
        var match = text is null ? Match.Empty : Pattern().Match(text);
        if (!match.Success || match.Length == 1 || text!.EndsWith('T'))
        {
            return false;
        }

        int Part(string name) => match.Groups[name].Success ? int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
        duration = new IsoDuration(Part("y"), Part("mo"), Part("w"), Part("d"), Part("h"), Part("mi"), Part("s")) { Text = text };
        return true;
    }

    /// <summary>Reads an ISO 8601 duration or throws <see cref="FormatException"/>.</summary>
    public static IsoDuration Parse(string text) =>
        TryParse(text, out var duration) ? duration : throw new FormatException($"'{text}' is not an ISO 8601 duration such as P7D or PT12H.");

    /// <inheritdoc />
    public override string ToString() => Text;

    [GeneratedRegex(@"^P(?:(?<y>\d{1,4})Y)?(?:(?<mo>\d{1,4})M)?(?:(?<w>\d{1,4})W)?(?:(?<d>\d{1,5})D)?(?:T(?:(?<h>\d{1,5})H)?(?:(?<mi>\d{1,6})M)?(?:(?<s>\d{1,7})S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
