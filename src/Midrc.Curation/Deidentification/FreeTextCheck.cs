using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>
/// Scans the text of every attribute a file may keep (descriptions, comments, reasons, safe private text,
/// at every depth) for names, addresses, phone numbers, e-mail addresses, record numbers and dates.
/// Attributes that must go anyway are reported by <see cref="AnnexEAttributeCheck"/>, not twice here.
/// </summary>
public sealed class FreeTextCheck(CurationProfile profile, AnnexEPolicy policy, PrivateAttributeCheck privateAttributes) : IFileCheck
{
    private static readonly HashSet<string> TextVrs = ["LO", "SH", "ST", "LT", "UT", "UC", "PN"];

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file)
    {
        var pseudonym = file.Dataset.GetString(AnnexEPolicy.PatientId);
        return PrivateAttributeCheck.Levels(file.Dataset)
            .SelectMany(level => level.Elements.Where(e => TextVrs.Contains(e.Vr) && IsKept(level, e)))
            .Select(e => Scan(file, e, pseudonym))
            .OfType<Finding>();
    }

    private bool IsKept(DicomDataset level, DicomElement element) => element.Tag.IsPrivate
        ? privateAttributes.IsSafe(level, element)
        : policy.Classify(element) is Expectation.Retain or Expectation.Clean;

    private Finding? Scan(DicomFileView file, DicomElement element, string? pseudonym)
    {
        List<PhiMatch>? matches = null;
        foreach (var value in element.NonEmptyValues())
        {
            if (string.Equals(value.Trim(), pseudonym, StringComparison.OrdinalIgnoreCase) || profile.IsDummy(value))
            {
                continue;
            }
            if (element.Vr == "PN")
            {
                (matches ??= []).Add(new PhiMatch("a person's name", PhiText.Mask(value)));
            }
            else if (FreeTextScanner.Scan(value) is { Count: > 0 } found)
            {
                (matches ??= []).AddRange(found);
            }
        }
        if (matches is null)
        {
            return null;
        }
        var kinds = matches.DistinctBy(m => m.Kind).Select(m => $"{m.Kind} ('{m.Excerpt}')").ToList();
        var what = kinds.Count == 1 ? kinds[0] : $"{string.Join(", ", kinds[..^1])} and {kinds[^1]}";
        return profile.Rules.Report("deid.free-text-phi", file.SourcePath,
            $"{policy.Describe(element)} contains what looks like {what}.", element);
    }
}
