using System.Text;

namespace Midrc.Curation.Clinical;

/// <summary>
/// CSV templates and the data dictionary document, generated from <see cref="ClinicalDictionary"/> so they
/// can never disagree with the parser.
/// </summary>
public static class ClinicalTemplates
{
    static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    /// <summary>The download name of a node's template, e.g. <c>imaging_study.csv</c>.</summary>
    public static string FileName(ClinicalNode node) => ClinicalDictionary.Get(node).Name + ".csv";

    /// <summary>The header row alone, ending in CRLF.</summary>
    public static string Header(ClinicalNode node) => Line(ClinicalDictionary.Get(node).Columns.Select(c => c.Name));

    /// <summary>The header row followed by one example row of valid, consistent values (the examples of all nodes form one case).</summary>
    public static string Example(ClinicalNode node) => Header(node) + Line(ClinicalDictionary.Get(node).Columns.Select(c => c.Example));

    /// <summary>
    /// A template as a downloadable file: UTF-8 with a byte order mark, which Excel needs to recognise UTF-8.
    /// </summary>
    public static byte[] File(ClinicalNode node, bool withExample = false)
    {
        var text = withExample ? Example(node) : Header(node);
        return [.. Utf8WithBom.GetPreamble(), .. Utf8WithBom.GetBytes(text)];
    }

    /// <summary>The data dictionary as Markdown: one table per node with each column's meaning and allowed values.</summary>
    public static string Markdown()
    {
        var md = new StringBuilder()
            .AppendLine("# Clinical data dictionary")
            .AppendLine()
            .AppendLine("Send one CSV file per node, saved as *CSV UTF-8 (comma delimited)*, with the column names below as its first row. ")
            .AppendLine("Every day is a **number of days from the case's index event** (day 0; negative before it), never a calendar date. ")
            .AppendLine($"Ages above {ClinicalValueLimits.MaxAge} are never written as numbers: leave `age_at_index` blank and set `age_at_index_gt89` to `Yes`. ")
            .AppendLine("Coded values must be written as listed (upper or lower case is accepted).");
        foreach (var node in ClinicalDictionary.Nodes)
        {
            md.AppendLine()
                .AppendLine($"## {node.Name} (`{FileName(node.Node)}`)")
                .AppendLine()
                .AppendLine(node.Description)
                .AppendLine()
                .AppendLine("| Column | Required | Allowed values | Example | Description |")
                .AppendLine("|---|---|---|---|---|");
            foreach (var c in node.Columns)
            {
                md.AppendLine($"| `{c.Name}` | {(c.Required ? "yes" : "no")} | {Cell(c.AllowedText)} | `{c.Example}` | {Cell(c.Description)} |");
            }
        }
        return md.ToString();
    }

    static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    internal static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Quote)) + "\r\n";

    static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
