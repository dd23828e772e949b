using System.Globalization;
using System.Text.RegularExpressions;

namespace Midrc.Curation.Clinical;

/// <summary>A problem with one value: which rule, what is wrong and what to do, for a site coordinator.</summary>
internal sealed record ValueProblem(string Rule, string Message, string Hint);

/// <summary>Reads one raw CSV value against its column's definition: a canonical value, a problem, or blank.</summary>
internal static partial class ClinicalValueReader
{
    /// <summary>How much of a bad value a message repeats; long values are cut so a report stays readable.</summary>
    const int ShownValueLength = 40;

    /// <summary>The canonical value (trimmed; coded values spelled as the dictionary spells them), null when blank.</summary>
    public static string? Read(ClinicalColumn column, string raw, out ValueProblem? problem)
    {
        problem = null;
        var value = raw.Trim();
        if (value.Length == 0)
        {
            if (column.Required)
            {
                problem = new(ClinicalRules.MissingValue, $"{column.Name} is blank but is required.", $"Fill in {column.AllowedText}.");
            }
            return null;
        }

        problem = column.Kind switch
        {
            ClinicalValueKind.Id => IdPattern().IsMatch(value) ? null
                : new(ClinicalRules.InvalidId, $"'{Shown(value)}' is not a valid id for {column.Name}.", $"Use {column.AllowedText}; no spaces, names or record numbers."),
            ClinicalValueKind.Uid => value.Length <= ClinicalValueLimits.MaxIdLength && UidPattern().IsMatch(value) ? null
                : new(ClinicalRules.InvalidUid, $"'{Shown(value)}' is not a valid Study Instance UID.", "Copy the Study Instance UID (0020,000D) from the de-identified DICOM files: digits separated by dots, at most 64 characters."),
            ClinicalValueKind.DayOffset => Number(column, value, -ClinicalValueLimits.MaxDayOffset, ClinicalValueLimits.MaxDayOffset),
            ClinicalValueKind.Age => Number(column, value, 0, ClinicalValueLimits.MaxAge),
            ClinicalValueKind.Zip3 => Zip(value),
            ClinicalValueKind.Text => value.Length <= ClinicalValueLimits.MaxTextLength ? null
                : new(ClinicalRules.ValueTooLong, $"{column.Name} is {value.Length} characters long.", $"Shorten it to at most {ClinicalValueLimits.MaxTextLength} characters."),
            _ => null,
        };
        if (problem is not null)
        {
            return null;
        }
        if (column.Kind is ClinicalValueKind.DayOffset or ClinicalValueKind.Age)
        {
            return int.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        }
        if (column.Kind != ClinicalValueKind.Code)
        {
            return value;
        }

        var allowed = column.AllowedValues.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
        if (allowed is null)
        {
            problem = new(ClinicalRules.ValueNotAllowed, $"'{Shown(value)}' is not an allowed value for {column.Name}.", $"Write {column.AllowedText}.");
        }
        return allowed;
    }

    /// <summary>A value as a message may repeat it: at most <see cref="ShownValueLength"/> characters, control characters escaped.</summary>
    public static string Shown(string value)
    {
        var cut = value.Length > ShownValueLength ? value[..ShownValueLength] + "…" : value;
        return string.Concat(cut.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }

    static ValueProblem? Number(ClinicalColumn column, string value, int min, int max)
    {
        if (column.Kind == ClinicalValueKind.DayOffset && DatePattern().IsMatch(value))
        {
            return new(ClinicalRules.DateNotAllowed, $"{column.Name} holds '{Shown(value)}', which looks like a calendar date.",
                "Real dates identify patients and must not be sent. Write the number of days from the case's index event instead (e.g. 3, or -2 for two days before).");
        }
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return new(ClinicalRules.NotANumber, $"{column.Name} holds '{Shown(value)}', which is not a whole number.", $"Write {column.AllowedText}.");
        }
        if (column.Kind == ClinicalValueKind.Age && number > max)
        {
            return new(ClinicalRules.AgeOver89, $"{column.Name} is above {ClinicalValueLimits.MaxAge}; ages over {ClinicalValueLimits.MaxAge} must not be sent as numbers.",
                $"Leave {column.Name} blank and set {ClinicalColumnNames.AgeAtIndexGt89} to Yes.");
        }
        return number < min || number > max
            ? new(ClinicalRules.ValueOutOfRange, $"{column.Name} is {number}, outside the allowed range.", $"Write {column.AllowedText}.")
            : null;
    }

    static ValueProblem? Zip(string value)
    {
        if (value.Length == 3 && value.All(char.IsAsciiDigit))
        {
            return null;
        }
        var hint = value.Length switch
        {
            < 3 when value.All(char.IsAsciiDigit) => "Write all three digits, including leading zeros (e.g. 021). If Excel drops the zeros, format the column as Text before typing.",
            _ when value.Count(char.IsAsciiDigit) >= 5 => "A full ZIP code can identify a patient: send only its first three digits.",
            _ => "Write the first three digits of the ZIP code, e.g. 606.",
        };
        return new(ClinicalRules.InvalidZip, $"zip '{Shown(value)}' is not a three-digit ZIP code.", hint);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)*$")]
    private static partial Regex UidPattern();

    // 2020-03-14, 3/14/2020, 14.03.20, 20200314 and timestamps all start like a date.
    [GeneratedRegex(@"^(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|(19|20)\d{6})")]
    private static partial Regex DatePattern();
}
