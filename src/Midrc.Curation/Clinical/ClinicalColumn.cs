namespace Midrc.Curation.Clinical;

/// <summary>
/// One column of a node's CSV as the data dictionary defines it. The same definition drives the parser,
/// the checks, the CSV templates and the generated documentation.
/// </summary>
public sealed record ClinicalColumn
{
    /// <summary>The column name in the CSV header, as in the MIDRC dictionary (e.g. <c>days_to_icu_admission</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What the column holds.</summary>
    public required ClinicalValueKind Kind { get; init; }

    /// <summary>True when the column must be in the header and every row must have a value.</summary>
    public bool Required { get; init; }

    /// <summary>For <see cref="ClinicalValueKind.Code"/> columns, the allowed values as they must be written.</summary>
    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    /// <summary>What the column means, for a site coordinator.</summary>
    public required string Description { get; init; }

    /// <summary>A valid value used in the example row of the template.</summary>
    public required string Example { get; init; }

    /// <summary>What may be written in this column, in words (used in messages and in the documentation).</summary>
    public string AllowedText => Kind switch
    {
        ClinicalValueKind.Id => "an id of letters, digits, '.', '_' or '-' (at most 64 characters)",
        ClinicalValueKind.DayOffset => $"a whole number of days from the index event, between -{ClinicalValueLimits.MaxDayOffset} and {ClinicalValueLimits.MaxDayOffset}",
        ClinicalValueKind.Age => $"a whole number of years from 0 to {ClinicalValueLimits.MaxAge}",
        ClinicalValueKind.Code => "one of: " + string.Join(", ", AllowedValues),
        ClinicalValueKind.Zip3 => "the first three digits of the ZIP code, e.g. 606",
        ClinicalValueKind.Uid => "a DICOM Study Instance UID (digits and dots, at most 64 characters)",
        _ => $"text of at most {ClinicalValueLimits.MaxTextLength} characters",
    };
}

/// <summary>Fixed limits on single values, part of the data dictionary.</summary>
public static class ClinicalValueLimits
{
    /// <summary>The highest age that may be written as a number (HIPAA Safe Harbor); older ages use the flag.</summary>
    public const int MaxAge = 89;

    /// <summary>The largest day offset accepted in either direction (about ten years).</summary>
    public const int MaxDayOffset = 3650;

    /// <summary>The longest free-text value accepted.</summary>
    public const int MaxTextLength = 256;

    /// <summary>The longest id or UID accepted.</summary>
    public const int MaxIdLength = 64;
}
