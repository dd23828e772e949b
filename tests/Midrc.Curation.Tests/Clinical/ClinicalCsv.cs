using System.Text;
using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Tests.Clinical;

/// <summary>Builds clinical CSV text from the dictionary's example values and reads it back.</summary>
internal static class ClinicalCsv
{
    public static Task<ClinicalCsvResult> ReadAsync(string text, ClinicalNode node, ClinicalCsvLimits? limits = null) =>
        ReadAsync(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text), node, limits);

    public static Task<ClinicalCsvResult> ReadAsync(byte[] bytes, ClinicalNode node, ClinicalCsvLimits? limits = null) =>
        ReadAsync(new MemoryStream(bytes), node, limits);

    public static Task<ClinicalCsvResult> ReadAsync(Stream stream, ClinicalNode node, ClinicalCsvLimits? limits = null) =>
        new ClinicalCsvReader(limits ?? new ClinicalCsvLimits()).ReadAsync(stream, ClinicalTemplates.FileName(node), node);

    /// <summary>The node's example row with some values replaced.</summary>
    public static string Row(ClinicalNode node, params (string Column, string Value)[] changes) =>
        ClinicalTemplates.Line(ClinicalDictionary.Get(node).Columns.Select(c =>
            changes.FirstOrDefault(x => x.Column == c.Name) is { Column: not null } x ? x.Value : c.Example));

    /// <summary>A file of the header and one example row with one value replaced.</summary>
    public static string WithValue(ClinicalNode node, string column, string value) =>
        ClinicalTemplates.Header(node) + Row(node, (column, value));

    /// <summary>The example rows of all five nodes, parsed: one complete, consistent case.</summary>
    public static async Task<ClinicalSubmission> ExampleSubmissionAsync()
    {
        var results = new List<ClinicalCsvResult>();
        foreach (var node in Enum.GetValues<ClinicalNode>())
        {
            results.Add(await ReadAsync(ClinicalTemplates.Example(node), node));
        }
        return ClinicalSubmission.From(results);
    }

    public static Finding SingleOf(this IEnumerable<Finding> findings, string rule) => findings.Where(f => f.Rule == rule).ShouldHaveSingleItem();
}
