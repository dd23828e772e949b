using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;

namespace Midrc.Curation.Tests.Deidentification;

public class PatientIdentityAndPseudonymTests
{
    [Fact]
    public void Check_ReportsIdentityRemovedMissing_WhenTheFlagIsAbsent()
    {
        var finding = Verification.Run(CleanDatasets.Cr().Without(0x00120062)).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.patient-identity-removed-missing");
        finding.Keyword.ShouldBe("PatientIdentityRemoved");
    }

    [Fact]
    public void Check_ReportsIdentityRemovedMissing_WhenTheFlagIsNo()
    {
        Verification.Run(CleanDatasets.Cr().With(0x00120062, "CS", "NO")).ShouldHaveSingleItem().Message.ShouldContain("'NO'");
    }

    [Fact]
    public void Check_ReportsMethodMissing_WhenNeitherMethodNorCodeSequenceIsPresent()
    {
        Verification.Run(CleanDatasets.Cr().Without(0x00120063)).ShouldHaveSingleItem().Rule.ShouldBe("deid.deidentification-method-missing");
    }

    [Fact]
    public void Check_AcceptsMethodCodeSequence_InsteadOfMethodText()
    {
        var dataset = CleanDatasets.Cr().Without(0x00120063).WithSequence(0x00120064, TestDataset.Create()
            .With(0x00080100, "SH", "113100")
            .With(0x00080102, "SH", "DCM")
            .With(0x00080104, "LO", "Basic Application Confidentiality Profile"));

        Verification.Run(dataset).ShouldBeEmpty();
    }

    [Fact]
    public void File_that_claims_identity_removed_but_keeps_the_real_name_fails()
    {
        var dataset = CleanDatasets.Cr().With(0x00100010, "PN", "SMITH^JOHN^A");

        var errors = Verification.Errors(dataset);

        var finding = errors.ShouldHaveSingleItem();
        finding.Rule.ShouldBe("deid.patient-name-not-pseudonym");
        finding.Message.ShouldContain("'S**** J*** A'");
        finding.Message.ShouldContain("equal Patient ID");
    }

    [Fact]
    public void Check_ReportsPatientId_WhenItIsAHospitalNumber()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00100020, "LO", "12345678").With(0x00100010, "PN", "12345678")).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.patient-id-not-pseudonym");
        finding.Severity.ShouldBe(Severity.Error);
        finding.Message.ShouldContain("'1*******'");
        finding.Message.ShouldContain("your site code, a hyphen and 4–8 digits (like UCH-0042)", customMessage: "the coordinator reads the profile's description, not its regular expression");
    }

    [Fact]
    public void Check_NamesThePseudonymPattern_WhenTheProfileDescribesNone()
    {
        var profile = Verification.DefaultWith("  patient-id-description:", "  # patient-id-description:");

        var finding = Verification.Run(CleanDatasets.Cr().With(0x00100020, "LO", "12345678").With(0x00100010, "PN", "12345678"), profile).ShouldHaveSingleItem();

        finding.Message.ShouldContain("the pattern ");
        finding.Message.ShouldContain("[A-Z][A-Z0-9]{1,15}-[0-9]{4,8}");
    }

    [Fact]
    public void Load_ReadsTheProfilesVersion()
    {
        ProfileLoader.LoadDefault().Label.ShouldBe("MIDRC 2026.1");
        Verification.DefaultWith("version: \"2026.1\"\n", "").Version.ShouldBe("1", "a profile without a version is version 1");
    }

    [Fact]
    public void Check_AcceptsPatientName_MatchingItsOwnPattern()
    {
        var profile = Verification.DefaultWith("patient-name: same-as-patient-id", "patient-name: pattern\n  patient-name-pattern: 'MIDRC\\^[0-9]+'");

        Verification.Run(CleanDatasets.Cr().With(0x00100010, "PN", "MIDRC^000082"), profile).ShouldBeEmpty();
        Verification.Run(CleanDatasets.Cr(), profile).ShouldHaveSingleItem().Rule.ShouldBe("deid.patient-name-not-pseudonym");
    }

    [Fact]
    public void Check_AcceptsEmptyPatientName()
    {
        Verification.Run(CleanDatasets.Cr().With(0x00100010, "PN")).ShouldBeEmpty();
    }
}
