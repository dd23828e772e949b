using Midrc.Curation.Tests.Deidentification;

namespace Midrc.Curation.Tests.Qa;

public class FileQaTests
{
    [Theory]
    [InlineData(0x00080018u, "(0008,0018)")]
    [InlineData(0x0020000Du, "(0020,000D)")]
    [InlineData(0x00080060u, "(0008,0060)")]
    [InlineData(0x00280010u, "(0028,0010)")]
    public void Check_ReportsRequiredAttributeMissing(uint tag, string expected)
    {
        Verification.Run(CleanDatasets.Cr().Without(tag))
            .ShouldContain(f => f.Rule == "qa.required-attribute-missing" && f.Tag == expected);
    }

    [Fact]
    public void Check_ReportsPatientIdMissing_WhenItIsEmpty()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00100020, "LO").With(0x00100010, "PN")).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.required-attribute-missing");
        finding.Keyword.ShouldBe("PatientID");
    }

    [Fact]
    public void Check_ReportsPixelDataMissing_ThroughTheFileView()
    {
        var file = CleanDatasets.Cr().ToFile(hasPixelData: false);

        var finding = new Midrc.Curation.Reports.FileVerifier(Verification.DefaultProfile).Verify(file).ShouldHaveSingleItem();

        finding.Tag.ShouldBe("(7FE0,0010)");
        finding.Keyword.ShouldBe("PixelData");
    }

    [Fact]
    public void Check_ReportsModalityNotRequested()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00080060, "CS", "MR")).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.modality-not-requested");
        finding.Message.ShouldContain("CR, CT, DX");
    }

    [Fact]
    public void Check_ReportsSopClassNotRequested()
    {
        Verification.Run(CleanDatasets.Cr().With(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.88.67"))
            .ShouldHaveSingleItem().Rule.ShouldBe("qa.sop-class-not-requested");
    }

    [Theory]
    [InlineData("ABDOMEN", "is ABDOMEN")]
    [InlineData("", "is missing")]
    public void Check_ReportsBodyPartNotRequested(string bodyPart, string expected)
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00180015, "CS", bodyPart)).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.body-part-not-requested");
        finding.Message.ShouldContain(expected);
    }

    [Fact]
    public void Check_AcceptsAnyBodyPart_WhenTheProfileRequestsNone()
    {
        var profile = Verification.DefaultWith("body-parts: [CHEST]", "body-parts: []");

        Verification.Run(CleanDatasets.Cr().Without(0x00180015), profile).ShouldBeEmpty();
    }
}
