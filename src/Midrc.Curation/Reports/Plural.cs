using System.Globalization;

namespace Midrc.Curation.Reports;

/// <summary>Counts in words people read: "1 file", "4 files", "1,204 attributes", never "file(s)".</summary>
public static class Plural
{
    /// <summary>The count and the noun, singular for one; <paramref name="plural"/> when adding "s" is wrong.</summary>
    public static string Count(long count, string noun, string? plural = null) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {(count == 1 ? noun : plural ?? noun + "s")}";
}
