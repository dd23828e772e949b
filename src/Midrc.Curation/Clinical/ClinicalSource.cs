using Midrc.Curation.Findings;

namespace Midrc.Curation.Clinical;

/// <summary>Where a clinical row came from: the CSV as the site named it and the row as a spreadsheet numbers it (header = 1).</summary>
public sealed record ClinicalSource(string File, int Row)
{
    /// <summary>The finding path of one of this row's columns, e.g. <c>row 12, column days_to_icu_admission</c>.</summary>
    public string PathOf(string column) => $"row {Row}, column {column}";

    /// <summary>An error or warning about one column of this row.</summary>
    internal Finding Finding(string column, string rule, Severity severity, string message, string hint) => new()
    {
        File = File,
        Rule = rule,
        Severity = severity,
        Path = PathOf(column),
        Keyword = column,
        Message = message,
        Hint = hint,
    };
}
