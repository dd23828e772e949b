using System.Globalization;
using System.Reflection;
using CsvHelper;
using Midrc.Curation.Dicom;

namespace Midrc.Curation.Deidentification;

/// <summary>What PS3.15 table E.1-1 allows for an attribute under the Basic Profile; combined actions (X/Z/D) set several flags.</summary>
[Flags]
public enum BasicProfileAction
{
    /// <summary>Not listed in the table.</summary>
    None = 0,

    /// <summary>X: remove.</summary>
    Remove = 1,

    /// <summary>Z: zero length, or a dummy value.</summary>
    Empty = 2,

    /// <summary>D: a non-zero length dummy value.</summary>
    Dummy = 4,

    /// <summary>U: a replaced UID.</summary>
    ReplaceUid = 8,
}

/// <summary>One row of table E.1-1.</summary>
/// <param name="Name">The attribute's name in the standard, e.g. <c>Patient's Name</c>.</param>
/// <param name="Action">The Basic Profile action.</param>
public sealed record AnnexEEntry(string Name, BasicProfileAction Action);

/// <summary>
/// PS3.15 table E.1-1 (2024b), read from the embedded <c>annex_e_basic_profile.csv</c>. Rows like
/// <c>(60XX,4000)</c> stand for repeating groups and match any hex digit in the X positions.
/// </summary>
public sealed class AnnexETable
{
    private const string Resource = "Midrc.Curation.annex_e_basic_profile.csv";

    private readonly Dictionary<DicomTag, AnnexEEntry> _exact = [];
    private readonly List<(uint Mask, uint Value, AnnexEEntry Entry)> _masked = [];

    private AnnexETable(TextReader csv)
    {
        // Read by column name, field by field: no class map, so nothing here needs reflection (the native build of
        // `midrc` is compiled ahead of time and trimmed).
        using var reader = new CsvReader(csv, CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        while (reader.Read())
        {
            var tag = reader.GetField("tag") ?? "";
            // The row for all private attributes, (GGGG,EEEE) with GGGG odd, is PrivateAttributeCheck's job.
            if (tag.StartsWith("(GGGG", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var entry = new AnnexEEntry(reader.GetField("name") ?? "", ParseAction(reader.GetField("basic_profile_action") ?? ""));
            var hex = tag.Trim('(', ')').Replace(",", "", StringComparison.Ordinal);
            if (hex.Contains('X', StringComparison.OrdinalIgnoreCase))
            {
                var mask = Convert.ToUInt32(string.Concat(hex.Select(c => c is 'X' or 'x' ? '0' : 'F')), 16);
                var value = Convert.ToUInt32(hex.Replace('X', '0').Replace('x', '0'), 16);
                _masked.Add((mask, value, entry));
            }
            else
            {
                _exact[DicomTag.Parse(tag)] = entry;
            }
        }
    }

    /// <summary>The table shipped with the library.</summary>
    public static AnnexETable Standard { get; } = LoadEmbedded();

    /// <summary>The table's row for this tag, or null when the Basic Profile does not list it.</summary>
    public AnnexEEntry? Find(DicomTag tag)
    {
        if (_exact.TryGetValue(tag, out var entry))
        {
            return entry;
        }
        foreach (var (mask, value, masked) in _masked)
        {
            if ((tag.Value & mask) == value)
            {
                return masked;
            }
        }
        return null;
    }

    /// <summary>Parses an action such as <c>X</c>, <c>Z/D</c> or <c>X/Z/U*</c>.</summary>
    public static BasicProfileAction ParseAction(string text) =>
        text.Split('/').Aggregate(BasicProfileAction.None, (all, part) => all | part.Trim().TrimEnd('*') switch
        {
            "X" => BasicProfileAction.Remove,
            "Z" => BasicProfileAction.Empty,
            "D" => BasicProfileAction.Dummy,
            "U" => BasicProfileAction.ReplaceUid,
            "K" or "C" or "" => BasicProfileAction.None,
            _ => throw new FormatException($"Unknown Annex E action '{part}' in '{text}'."),
        });

    private static AnnexETable LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded resource {Resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return new AnnexETable(reader);
    }
}
