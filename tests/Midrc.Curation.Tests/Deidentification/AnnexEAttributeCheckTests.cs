using Midrc.Curation.Findings;

namespace Midrc.Curation.Tests.Deidentification;

public class AnnexEAttributeCheckTests
{
    [Fact]
    public void Check_ReportsAttributePresent_WhenRemovedAttributeHoldsAValue()
    {
        var findings = Verification.Run(CleanDatasets.Cr().With(0x00101040, "LO", "12 Elm Street, Springfield"));

        var finding = findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe("deid.annex-e-attribute-present");
        finding.Severity.ShouldBe(Severity.Error);
        finding.Tag.ShouldBe("(0010,1040)");
        finding.Path.ShouldBe("(0010,1040)");
        finding.Message.ShouldContain("Patient's Address");
        finding.Message.ShouldNotContain("Elm");
        finding.Hint.ShouldContain("anonymizer");
    }

    [Fact]
    public void Check_AcceptsRemovedAttribute_WhenItIsPresentButEmpty()
    {
        Verification.Run(CleanDatasets.Cr().With(0x00101040, "LO")).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsNotDummy_WithMaskedValue_WhenEmptiedAttributeHoldsARealName()
    {
        var findings = Verification.Run(CleanDatasets.Cr().With(0x00080090, "PN", "SMITH^JOHN"));

        var finding = findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe("deid.annex-e-attribute-not-dummy");
        finding.Keyword.ShouldBe("ReferringPhysicianName");
        finding.Message.ShouldContain("'S**** J***'");
        finding.Message.ShouldNotContain("SMITH");
    }

    [Fact]
    public void Check_ReportsNotDummy_WhenAccessionNumberIsKept()
    {
        Verification.Run(CleanDatasets.Cr().With(0x00080050, "SH", "A20200415123"))
            .ShouldContain(f => f.Rule == "deid.annex-e-attribute-not-dummy" && f.Tag == "(0008,0050)");
    }

    [Fact]
    public void Check_ReportsPatientSex_WhenPatientCharacteristicsAreNotRetained()
    {
        var profile = Verification.DefaultWith("    - retain-patient-characteristics", "");

        var findings = Verification.Run(CleanDatasets.Cr(), profile);

        findings.ShouldContain(f => f.Rule == "deid.annex-e-attribute-not-dummy" && f.Tag == "(0010,0040)");
        findings.ShouldContain(f => f.Rule == "deid.annex-e-attribute-present" && f.Tag == "(0010,1010)");
    }

    [Fact]
    public void Check_ReportsDateNotShifted_WhenStudyDateIsInTheRealCollectionPeriod()
    {
        var findings = Verification.Run(CleanDatasets.Cr().With(0x00080020, "DA", "20200415"));

        var finding = findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe("deid.date-not-shifted");
        finding.Tag.ShouldBe("(0008,0020)");
        finding.Message.ShouldContain("2020");
        finding.Message.ShouldNotContain("20200415");
    }

    [Fact]
    public void Check_AcceptsRealDates_WhenTheProfileDoesNotRequireShifting()
    {
        var profile = Verification.DefaultWith("require-shifted: true", "require-shifted: false");

        Verification.Run(CleanDatasets.Cr().With(0x00080020, "DA", "20200415"), profile).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsStudyDate_WhenDatesAreNotRetainedAtAll()
    {
        var profile = Verification.DefaultWith("    - retain-longitudinal-temporal-modified-dates", "");

        Verification.Run(CleanDatasets.Cr(), profile)
            .ShouldContain(f => f.Rule == "deid.annex-e-attribute-not-dummy" && f.Tag == "(0008,0020)");
    }

    [Fact]
    public void Check_ReportsOriginalUidRoot_ForInstanceUidAndFileMeta()
    {
        var findings = Verification.Run(CleanDatasets.Cr().With(0x00080018, "UI", "1.2.840.113619.2.55.3.1234"));

        findings.Where(f => f.Rule == "deid.uid-original-root").Select(f => f.Path)
            .ShouldBe(["(0002,0003)", "(0008,0018)"], ignoreOrder: true);
        findings[0].Message.ShouldContain("1.2.840.113619");
    }

    [Fact]
    public void Check_ReportsOriginalUidRoot_InsideSequenceItems()
    {
        var dataset = CleanDatasets.Ct().WithSequence(0x00081140, TestDataset.Create()
            .With(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2")
            .With(0x00081155, "UI", "1.3.12.2.1107.5.1.4.99"));

        var finding = Verification.Run(dataset).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.uid-original-root");
        finding.Path.ShouldBe("(0008,1140)[0].(0008,1155)");
    }

    [Fact]
    public void Check_AcceptsOriginalRoots_WhenUidsAreRetained()
    {
        var profile = Verification.DefaultWith("    - retain-safe-private", "    - retain-safe-private\n    - retain-uids");

        Verification.Run(CleanDatasets.Cr().With(0x00080018, "UI", "1.2.840.113619.2.55.3.1234"), profile).ShouldBeEmpty();
    }

    [Fact]
    public void Check_FindsLeaks_TwoSequenceLevelsDeep()
    {
        var dataset = CleanDatasets.Cr().WithSequence(0x00400275, TestDataset.Create()
            .With(0x00080090, "PN", "JONES^MARY")
            .WithSequence(0x00081120, TestDataset.Create()
                .With(0x00100010, "PN", "DOE^JANE")
                .With(0x00100020, "LO", "MRN7654321")));

        var findings = Verification.Run(dataset);

        findings.ShouldContain(f => f.Rule == "deid.annex-e-attribute-present" && f.Path == "(0040,0275)");
        findings.ShouldContain(f => f.Rule == "deid.annex-e-attribute-not-dummy" && f.Path == "(0040,0275)[0].(0008,0090)");
        findings.ShouldContain(f => f.Rule == "deid.patient-name-not-pseudonym" && f.Path == "(0040,0275)[0].(0008,1120)[0].(0010,0010)");
        findings.ShouldContain(f => f.Rule == "deid.patient-id-not-pseudonym" && f.Path == "(0040,0275)[0].(0008,1120)[0].(0010,0020)");
        findings.ShouldAllBe(f => !f.Message.Contains("DOE") && !f.Message.Contains("JONES") && !f.Message.Contains("7654321"));
    }

    [Fact]
    public void Check_ReportsRuleAsWarning_WhenTheProfileOverridesItsSeverity()
    {
        var profile = Verification.DefaultWith("rules:\n", "rules:\n  deid.annex-e-attribute-not-dummy: warning\n");

        var finding = Verification.Run(CleanDatasets.Cr().With(0x00080090, "PN", "SMITH^JOHN"), profile).ShouldHaveSingleItem();

        finding.Severity.ShouldBe(Severity.Warning);
    }

    [Fact]
    public void Check_IsSilent_WhenTheProfileTurnsTheRuleOff()
    {
        var profile = Verification.DefaultWith("rules:\n", "rules:\n  deid.annex-e-attribute-not-dummy: off\n");

        Verification.Run(CleanDatasets.Cr().With(0x00080090, "PN", "SMITH^JOHN"), profile).ShouldBeEmpty();
    }
}
