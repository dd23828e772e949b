using Midrc.Curation.Deidentification;
using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Deidentification;

public class AnnexETableTests
{
    [Theory]
    [InlineData("(0010,0010)", "Patient's Name", BasicProfileAction.Empty)]
    [InlineData("(0008,0080)", "Institution Name", BasicProfileAction.Remove | BasicProfileAction.Empty | BasicProfileAction.Dummy)]
    [InlineData("(0008,1140)", "Referenced Image Sequence", BasicProfileAction.Remove | BasicProfileAction.Empty | BasicProfileAction.ReplaceUid)]
    [InlineData("(6004,4000)", "Overlay Comments", BasicProfileAction.Remove)]
    [InlineData("(5010,0030)", "Curve Data", BasicProfileAction.Remove)]
    public void Find_ReturnsTheBasicProfileRow(string tag, string name, BasicProfileAction action)
    {
        AnnexETable.Standard.Find(DicomTag.Parse(tag)).ShouldBe(new AnnexEEntry(name, action));
    }

    [Theory]
    [InlineData("(0008,0060)")]
    [InlineData("(0018,0015)")]
    [InlineData("(6000,0010)")]
    public void Find_ReturnsNull_ForAttributesTheProfileKeeps(string tag)
    {
        AnnexETable.Standard.Find(DicomTag.Parse(tag)).ShouldBeNull();
    }

    [Fact]
    public void DummyPatterns_FromTheProfile_AcceptAnAnonymizersHashedValues()
    {
        var profile = Verification.DefaultWith("dummy-patterns: []", "dummy-patterns: ['[0-9A-F]{16}']");

        Verification.Run(CleanDatasets.Cr().With(0x00080050, "SH", "9F86D081884C7D65"), profile).ShouldBeEmpty();
        Verification.Run(CleanDatasets.Cr().With(0x00080050, "SH", "A2020041512"), profile).ShouldHaveSingleItem();
    }
}
