using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Reports;

namespace Midrc.Curation.Deidentification;

/// <summary>
/// Private attributes (odd groups) must be gone unless the program retains safe private attributes and
/// lists the attribute by private creator and element. One finding per private block, at every depth.
/// </summary>
public sealed class PrivateAttributeCheck(CurationProfile profile) : IFileCheck
{
    private const int ExamplesShown = 3;

    /// <inheritdoc />
    public IEnumerable<Finding> Check(DicomFileView file) =>
        Levels(file.Dataset).SelectMany(level => CheckLevel(file, level));

    /// <summary>True when the element is on the profile's safe list, given the data set (or item) that holds it.</summary>
    public bool IsSafe(DicomDataset level, DicomElement element) =>
        profile.Retains(AnnexEOption.RetainSafePrivate)
        && CreatorOf(level, element.Tag) is { } creator
        && profile.SafePrivateTags.Any(s =>
            s.Group == element.Tag.Group
            && s.ElementOffset == (element.Tag.Element & 0xFF)
            && string.Equals(s.Creator, creator, StringComparison.OrdinalIgnoreCase));

    /// <summary>The data set and every sequence item inside it, at any depth.</summary>
    public static IEnumerable<DicomDataset> Levels(DicomDataset dataset) =>
        dataset.Elements.SelectMany(e => e.Items).SelectMany(Levels).Prepend(dataset);

    private IEnumerable<Finding> CheckLevel(DicomFileView file, DicomDataset level)
    {
        var unsafeByBlock = level.Elements
            .Where(e => e.Tag.IsPrivate && !IsCreator(e.Tag) && !IsSafe(level, e))
            .GroupBy(e => (e.Tag.Group, Block: e.Tag.Element >> 8));
        foreach (var block in unsafeByBlock)
        {
            var creatorTag = new DicomTag(block.Key.Group, (ushort)block.Key.Block);
            var creatorElement = block.Key.Block >= 0x10 ? level.Find(creatorTag) : null;
            var creator = CreatorOf(level, block.First().Tag);
            var examples = string.Join(", ", block.Take(ExamplesShown).Select(e => e.Tag));
            var more = block.Count() > ExamplesShown ? ", …" : "";
            var owner = creator is null
                ? $"Private attributes without a private creator in group {block.Key.Group:X4}"
                : $"Private block '{creator}' ({block.Key.Group:X4},{block.Key.Block:X2}xx)";
            var finding = profile.Rules.Report("deid.private-attribute", file.SourcePath,
                $"{owner}: {Plural.Count(block.Count(), "attribute")} not on the safe list: {examples}{more}.",
                creatorElement ?? block.First(), "PrivateCreator");
            if (finding is not null)
            {
                yield return finding;
            }
        }
    }

    private static bool IsCreator(DicomTag tag) => tag.Element is >= 0x0010 and <= 0x00FF;

    private static string? CreatorOf(DicomDataset level, DicomTag tag)
    {
        var block = tag.Element >> 8;
        return block >= 0x10 ? level.GetString(new DicomTag(tag.Group, (ushort)block)) : null;
    }
}
