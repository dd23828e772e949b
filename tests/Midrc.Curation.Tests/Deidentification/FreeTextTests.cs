using Midrc.Curation.Deidentification;

namespace Midrc.Curation.Tests.Deidentification;

public class FreeTextTests
{
    [Theory]
    [InlineData("questions: jane.doe@example.org", "an e-mail address")]
    [InlineData("call (312) 555-0199 for results", "a phone number")]
    [InlineData("tel +44 20 7946 0958", "a phone number")]
    [InlineData("SSN 123-45-6789", "a social security number")]
    [InlineData("lives at 1420 North Lake Shore Drive", "a street address")]
    [InlineData("read by Dr. Hernandez", "a person's name")]
    [InlineData("Dr Kowalski reviewed", "a person's name")]
    [InlineData("tech: Martinez", "a person's name")]
    [InlineData("DOE^JOHN CHEST", "a person's name")]
    [InlineData("MRN: 00482913", "a record number")]
    [InlineData("pt id 4471920", "a record number")]
    [InlineData("ref 993482117", "a record number")]
    [InlineData("prior 2020-03-15", "a date")]
    [InlineData("prior 03/15/2020", "a date")]
    [InlineData("seen 3-15-20", "a date")]
    [InlineData("compared with 15.03.2020", "a date")]
    [InlineData("compare 20200315", "a date")]
    [InlineData("admitted 15 March 2020", "a date")]
    [InlineData("since Mar 15, 2020", "a date")]
    public void Scan_FindsIdentifyingText(string text, string kind)
    {
        FreeTextScanner.Scan(text).ShouldContain(m => m.Kind == kind);
    }

    [Theory]
    [InlineData("CHEST PA")]
    [InlineData("AP PORTABLE")]
    [InlineData("CHEST PA AND LATERAL")]
    [InlineData("CHEST 2 VIEWS")]
    [InlineData("PORTABLE AP 1 VIEW")]
    [InlineData("CT CHEST W/O CONTRAST")]
    [InlineData("CT CHEST WITH IV CONTRAST 5.0 x 5.0")]
    [InlineData("Lung 1.25mm")]
    [InlineData("DR CHEST")]
    [InlineData("MR BRAIN W/WO")]
    [InlineData("RSNA Anonymizer")]
    [InlineData("RSNA DICOM ANONYMIZER v16.0")]
    [InlineData("CTP: DICOM-S142")]
    [InlineData("COVID-19 PNEUMONIA")]
    [InlineData("Pitch 0.984:1 KVP 120 mA 300")]
    [InlineData("sw 16.01")]
    [InlineData("Dose Report")]
    [InlineData("3 PHASE LIVER CT")]
    [InlineData("CHEST 1 VIEW DR")]
    [InlineData("gemss 12.1.10")]
    [InlineData("Protocol name: CHEST")]
    [InlineData("Per DICOM PS 3.15 AnnexE. Details in 0012,0064")]
    [InlineData("HIGH RES CHEST 1.2.840.10008.5.1.4.1.1.2")]
    public void Scan_LeavesNormalDeidentifiedTextAlone(string text)
    {
        FreeTextScanner.Scan(text).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsPhoneNumber_InStudyDescription_Masked()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00081030, "LO", "CHEST PA call 312-555-0199")).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.free-text-phi");
        finding.Keyword.ShouldBe("StudyDescription");
        finding.Message.ShouldContain("a phone number ('3**-5**-0***')");
        finding.Message.ShouldNotContain("555");
    }

    [Fact]
    public void Check_ReportsName_InImageComments()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x00204000, "LT", "Portable, Dr. Okafor notified")).ShouldHaveSingleItem();

        finding.Path.ShouldBe("(0020,4000)");
        finding.Message.ShouldContain("a person's name");
    }

    [Fact]
    public void Check_ReportsRecordNumberAndDate_InAdditionalPatientHistory()
    {
        var finding = Verification.Run(CleanDatasets.Cr().With(0x001021B0, "LT", "MRN 4471920, fever since 03/02/2020")).ShouldHaveSingleItem();

        finding.Keyword.ShouldBe("AdditionalPatientHistory");
        finding.Message.ShouldContain("a record number ('M** 4******') and a date ('0*/0*/2***')");
    }

    [Fact]
    public void Check_ScansText_InsideSequenceItems()
    {
        var dataset = CleanDatasets.Cr().WithSequence(0x00081032, TestDataset.Create()
            .With(0x00080100, "SH", "CTCHEST")
            .With(0x00080104, "LO", "CT CHEST for jane.doe@example.org"));

        Verification.Run(dataset).ShouldHaveSingleItem().Path.ShouldBe("(0008,1032)[0].(0008,0104)");
    }

    [Fact]
    public void Check_ReportsPersonName_InAKeptPersonNameAttribute()
    {
        var dataset = CleanDatasets.Cr().With(0x00190010, "LO", "GEMS_ACQU_01").With(0x00191024, "PN", "GARCIA^ANA");

        var finding = Verification.Run(dataset).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("deid.free-text-phi");
        finding.Message.ShouldContain("a person's name ('G***** A**')");
    }

    [Theory]
    [InlineData("JOHN SMITH", "J*** S****")]
    [InlineData("SMITH^JOHN", "S**** J***")]
    [InlineData("jane.doe@example.org", "j***.d**@e******.o**")]
    [InlineData("12345678", "1*******")]
    public void Mask_KeepsOnlyTheFirstCharacterOfEachWord(string value, string masked)
    {
        PhiText.Mask(value).ShouldBe(masked);
    }
}
