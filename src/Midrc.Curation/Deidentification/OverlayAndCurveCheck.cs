using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Deidentification;

/// <summary>Overlay data and comments (60xx) and curves (50xx) can carry names and annotations: flagged at any depth, once per group.</summary>
public sealed class OverlayAndCurveCheck(CurationProfile profile) : IFileCheck
{
    private const ushort OverlayData = 0x3000;
    private const ushort OverlayComments = 0x4000;

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file)
    {
        var flagged = file.Dataset.Walk()
            .Where(e => AnnexEPolicy.IsOverlayOrCurve(e.Tag) && Matters(e) && e.HasContent())
            .GroupBy(e => (Level: e.Path[..Math.Max(0, e.Path.LastIndexOf('('))], e.Tag.Group));
        foreach (var group in flagged)
        {
            var first = group.First();
            var isCurve = (first.Tag.Group & 0xFF00) == 0x5000;
            var comment = group.FirstOrDefault(e => e.Tag.Element == OverlayComments)?.NonEmptyValues().FirstOrDefault();
            var message = isCurve
                ? $"Curve group {first.Tag.Group:X4} is present; curves are removed by the Basic Profile."
                : $"Overlay group {first.Tag.Group:X4} is present ({Parts(group)}{(comment is null ? "" : $", comment '{PhiText.Mask(comment)}'")}); overlays are removed by the Basic Profile.";
            var finding = profile.Rules.Report("deid.overlay-or-curve", file.SourcePath, message, first, isCurve ? "CurveData" : "OverlayData");
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    private static bool Matters(DicomElement e) =>
        (e.Tag.Group & 0xFF00) == 0x5000 || e.Tag.Element is OverlayData or OverlayComments;

    private static string Parts(IEnumerable<DicomElement> group) =>
        string.Join(" and ", group.Select(e => e.Tag.Element == OverlayData ? "overlay data" : "overlay comments").Distinct());
}
