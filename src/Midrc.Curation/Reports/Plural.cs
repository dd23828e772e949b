using System.Globalization;

namespace Midrc.Curation.Reports;

/// <summary>Counts in words people read: "1 file", "4 files", "1,204 attributes", never "file(s)".</summary>
public static class Plural
{
    /// <summary>The count and the noun, singular for one; <paramref name="plural"/> when adding "s" is wrong.</summary>
    public static string Count(long count, string noun, string? plural = null) =>
        $"{Number(count)} {(count == 1 ? noun : plural ?? noun + "s")}";

    /// <summary>The count with thousands separated by commas ("9,000"), whatever the machine's culture.</summary>
    public static string Number(long count) => count.ToString("N0", CultureInfo.InvariantCulture);
}
