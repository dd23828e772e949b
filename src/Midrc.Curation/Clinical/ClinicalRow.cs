using System.Globalization;

namespace Midrc.Curation.Clinical;

/// <summary>
/// One data row that passed the parser far enough to be identified (its ids are valid). Values are canonical
/// (trimmed, coded values spelled as the dictionary spells them); a blank or rejected value is absent, and the
/// rejection is reported as a finding.
/// </summary>
public sealed record ClinicalRow
{
    /// <summary>The node this row belongs to.</summary>
    public required ClinicalNode Node { get; init; }

    /// <summary>Where the row came from.</summary>
    public required ClinicalSource Source { get; init; }

    /// <summary>The row's valid, non-blank values by column name.</summary>
    public required IReadOnlyDictionary<string, string> Values { get; init; }

    /// <summary>The columns whose value was rejected (and reported), as opposed to left blank.</summary>
    public IReadOnlySet<string> RejectedColumns { get; init; } = new HashSet<string>();

    /// <summary>The value of a column, or null when blank or rejected.</summary>
    public string? Text(string column) => Values.GetValueOrDefault(column);

    /// <summary>The value of a number column, or null when blank or rejected.</summary>
    public int? Number(string column) =>
        Values.TryGetValue(column, out var v) ? int.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    /// <summary>A Yes/No column as true/false, or null when blank or rejected.</summary>
    public bool? YesNo(string column) => Text(column) switch
    {
        "Yes" => true,
        "No" => false,
        _ => null,
    };
}
