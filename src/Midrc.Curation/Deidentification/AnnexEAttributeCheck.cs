using System.Globalization;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Deidentification;

/// <summary>
/// PS3.15 Annex E, attribute by attribute at every depth: removed attributes are gone, emptied or dummy
/// attributes hold no real value, retained dates are shifted when the program requires it, and replaced
/// UIDs are not under an original root.
/// </summary>
public sealed class AnnexEAttributeCheck(CurationProfile profile, AnnexEPolicy policy) : IFileCheck
{
    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file)
    {
        foreach (var element in file.AllElements())
        {
            var finding = policy.Classify(element) switch
            {
                Expectation.Absent => Absent(file, element),
                Expectation.EmptyOrDummy => EmptyOrDummy(file, element),
                Expectation.RetainedDate => ShiftedDate(file, element),
                Expectation.ReplacedUid => ReplacedUid(file, element),
                _ => null,
            };
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    private Finding? Absent(DicomFileView file, DicomElement element)
    {
        if (!element.HasContent())
        {
            return null;
        }
        var what = element.Items.Count > 0
            ? $"is present with {Plural.Count(element.Items.Count, "item")}"
            : element.NonEmptyValues().FirstOrDefault() is { } v ? $"is present and holds '{PhiText.Mask(v)}'" : "is present with a value";
        return profile.Rules.Report("deid.annex-e-attribute-present", file.SourcePath,
            $"{policy.Describe(element)} {what}; the Basic Profile requires it to be removed.", element);
    }

    private Finding? EmptyOrDummy(DicomFileView file, DicomElement element)
    {
        // A Z/D sequence may keep dummy items; the attributes inside them are judged one by one.
        if (element.Vr == "SQ" || !element.HasContent())
        {
            return null;
        }
        var leaked = element.NonEmptyValues().FirstOrDefault(v => !profile.IsDummy(v));
        var isBinary = element.Values.Count == 0;
        if (leaked is null && !isBinary)
        {
            return null;
        }
        var what = leaked is null ? "holds a binary value" : $"holds '{PhiText.Mask(leaked)}'";
        return profile.Rules.Report("deid.annex-e-attribute-not-dummy", file.SourcePath,
            $"{policy.Describe(element)} {what}, which is not empty or a dummy value.", element);
    }

    private Finding? ShiftedDate(DicomFileView file, DicomElement element)
    {
        if (!profile.Dates.RequireShifted || !AnnexEPolicy.IsDate(element))
        {
            return null;
        }
        var real = element.NonEmptyValues().Select(ParseDate).FirstOrDefault(d => d >= profile.Dates.RealDatesFrom);
        if (real is null)
        {
            return null;
        }
        return profile.Rules.Report("deid.date-not-shifted", file.SourcePath,
            $"{policy.Describe(element)} holds a date in {real.Value.Year}, inside the real collection period (from {profile.Dates.RealDatesFrom:yyyy-MM-dd}), so it looks unshifted.",
            element);
    }

    private Finding? ReplacedUid(DicomFileView file, DicomElement element)
    {
        foreach (var uid in element.NonEmptyValues())
        {
            var root = profile.ForbiddenUidRoots.FirstOrDefault(r =>
                uid.Trim().TrimEnd('\0') == r || uid.StartsWith(r + ".", StringComparison.Ordinal));
            if (root is not null)
            {
                return profile.Rules.Report("deid.uid-original-root", file.SourcePath,
                    $"{policy.Describe(element)} is under the original root {root}, so it was not replaced.", element);
            }
        }
        return null;
    }

    private static DateOnly? ParseDate(string value)
    {
        var v = value.Trim();
        return v.Length >= 8 && DateOnly.TryParseExact(v[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : null;
    }
}
