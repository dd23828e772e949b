using Midrc.Curation.Findings;

namespace Midrc.Curation.Tests.Deidentification;

public class PixelAndOverlayTests
{
    [Fact]
    public void Check_ReportsOverlayComments_WithoutEchoingThem()
    {
        var dataset = CleanDatasets.Cr()
            .With(0x60000010, "US", "2500")
            .With(0x60004000, "LT", "JOHN SMITH L ARM");

        var finding = Verification.Run(dataset).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.overlay-or-curve");
        finding.Tag.ShouldBe("(6000,4000)");
        finding.Message.ShouldContain("overlay comments");
        finding.Message.ShouldNotContain("SMITH");
    }

    [Fact]
    public void Check_ReportsOverlayData_OncePerGroup()
    {
        var dataset = CleanDatasets.Cr()
            .WithBinary(0x60003000, "OW", 640000)
            .WithBinary(0x60023000, "OW", 640000)
            .With(0x60024000, "LT", "marker");

        Verification.Run(dataset).Select(f => f.Tag).ShouldBe(["(6000,3000)", "(6002,3000)"]);
    }

    [Fact]
    public void Check_ReportsCurves()
    {
        Verification.Run(CleanDatasets.Cr().WithBinary(0x50003000, "OW", 100)).ShouldHaveSingleItem().Message.ShouldContain("Curve group 5000");
    }

    [Fact]
    public void Check_ReportsBurnedInAnnotation_AsWarning()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00280301, "CS", "YES")).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.burned-in-annotation");
        finding.Severity.ShouldBe(Severity.Warning);
    }

    [Fact]
    public void Check_ReportsSecondaryCapture_ForReview()
    {
        var findings = Verification.Run(CleanDatasets.Cr().With(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7"));

        findings.ShouldContain(f => f.Rule == "deid.secondary-capture" && f.Severity == Severity.Warning);
        findings.ShouldContain(f => f.Rule == "qa.sop-class-not-requested");
    }

    [Theory]
    [InlineData("DERIVED", "SECONDARY", "SCREEN SAVE")]
    [InlineData("DERIVED", "SECONDARY")]
    [InlineData("ORIGINAL", "PRIMARY", "SCREEN SAVE")]
    public void Check_ReportsScreenSaves(params string[] imageType)
    {
        Verification.Run(CleanDatasets.Cr().With(0x00080008, "CS", imageType)).ShouldHaveSingleItem().Rule.ShouldBe("deid.screen-save");
    }

    [Fact]
    public void Check_ReportsBurnedInAnnotation_AsError_WhenTheProfileSaysSo()
    {
        var profile = Verification.DefaultWith("deid.burned-in-annotation: warning", "deid.burned-in-annotation: error");

        Verification.Errors(CleanDatasets.Cr().With(0x00280301, "CS", "YES"), profile).ShouldHaveSingleItem();
    }
}
