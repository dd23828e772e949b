namespace Midrc.Curation.Tests.Deidentification;

public class PrivateAttributeCheckTests
{
    [Fact]
    public void Check_ReportsOneFindingPerBlock_WhenPrivateAttributesAreNotOnTheSafeList()
    {
        var dataset = CleanDatasets.Cr()
            .With(0x00090010, "LO", "GEMS_IDEN_01")
            .With(0x00091001, "LO", "CT01_OC0")
            .With(0x00091002, "SH", "HOSPITAL CT 1")
            .With(0x00091004, "LO", "LightSpeed");

        var finding = Verification.Run(dataset).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.private-attribute");
        finding.Tag.ShouldBe("(0009,0010)");
        finding.Keyword.ShouldBe("PrivateCreator");
        finding.Message.ShouldContain("'GEMS_IDEN_01'");
        finding.Message.ShouldContain("3 attributes");
        finding.Hint.ShouldContain("remove private tags");
        finding.Hint.ShouldContain("safe list");
    }

    [Fact]
    public void Check_AcceptsSafeListedAttribute_WithItsCreator()
    {
        var dataset = CleanDatasets.Cr().With(0x00190010, "LO", "GEMS_ACQU_01").With(0x00191027, "DS", "0.5");

        Verification.Run(dataset).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsSafeListedElement_WhenItsCreatorIsDifferent()
    {
        var dataset = CleanDatasets.Cr().With(0x00190010, "LO", "OTHER VENDOR").With(0x00191027, "LO", "SMITH");

        Verification.Run(dataset).ShouldContain(f => f.Rule == "deid.private-attribute" && f.Message.Contains("'OTHER VENDOR'"));
    }

    [Fact]
    public void Check_ReportsSafeListedAttribute_WhenTheProgramDoesNotRetainSafePrivate()
    {
        var profile = Verification.DefaultWith("    - retain-safe-private", "");
        var dataset = CleanDatasets.Cr().With(0x00190010, "LO", "GEMS_ACQU_01").With(0x00191027, "DS", "0.5");

        Verification.Run(dataset, profile).ShouldContain(f => f.Rule == "deid.private-attribute");
    }

    [Fact]
    public void Check_ReportsPrivateAttribute_WithoutCreator()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00291008, "LO", "X")).ShouldHaveSingleItem();

        finding.Path.ShouldBe("(0029,1008)");
        finding.Message.ShouldContain("without a private creator");
    }

    [Fact]
    public void Check_ReportsPrivateBlock_InsideASequenceItem()
    {
        var dataset = CleanDatasets.Ct().WithSequence(0x00081140, TestDataset.Create()
            .With(0x00081155, "UI", $"{CleanDatasets.AnonymizedRoot}.4.1")
            .With(0x00430010, "LO", "GEMS_PARM_01")
            .With(0x00431028, "OB", "x"));

        Verification.Run(dataset).ShouldHaveSingleItem().Path.ShouldBe("(0008,1140)[0].(0043,0010)");
    }

    [Fact]
    public void Check_ScansSafePrivateText_ForIdentifyingContent()
    {
        var dataset = CleanDatasets.Cr().With(0x00190010, "LO", "GEMS_ACQU_01").With(0x00191023, "LO", "call 312-555-0199");

        Verification.Run(dataset).ShouldHaveSingleItem().Rule.ShouldBe("deid.free-text-phi");
    }
}
