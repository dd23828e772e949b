using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Dicom;

public sealed class DicomDatasetTests
{
    [Fact]
    public void Elements_given_out_of_order_are_kept_in_tag_order()
    {
        var dataset = new DicomDataset([Element(0x0020, 0x000D), Element(0x0008, 0x0060), Element(0x0010, 0x0010)]);

        dataset.Elements.Select(e => e.Tag.ToString()).ShouldBe(["(0008,0060)", "(0010,0010)", "(0020,000D)"]);
    }

    [Fact]
    public void A_repeated_tag_keeps_its_order_and_the_first_one_is_found()
    {
        var first = Element(0x0010, 0x0010, "FIRST");
        var second = Element(0x0010, 0x0010, "SECOND");

        var dataset = new DicomDataset([Element(0x0020, 0x000D), first, second]);

        dataset.Elements.Take(2).ShouldBe([first, second]);
        dataset.Find(new DicomTag(0x0010, 0x0010)).ShouldBeSameAs(first);
    }

    [Fact]
    public void Elements_in_order_are_kept_as_given()
    {
        var elements = new[] { Element(0x0008, 0x0060), Element(0x0010, 0x0010), Element(0x0010, 0x0020) };

        new DicomDataset(elements).Elements.ShouldBe(elements);
    }

    private static DicomElement Element(ushort group, ushort element, string value = "x") => new()
    {
        Tag = new DicomTag(group, element),
        Vr = "LO",
        Keyword = "",
        Path = new DicomTag(group, element).ToString(),
        Values = [value],
    };
}
