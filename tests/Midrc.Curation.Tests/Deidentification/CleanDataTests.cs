namespace Midrc.Curation.Tests.Deidentification;

public class CleanDataTests
{
    [Fact]
    public void Properly_deidentified_chest_radiograph_has_no_findings()
    {
        Verification.Run(CleanDatasets.Cr()).ShouldBeEmpty();
    }

    [Fact]
    public void Properly_deidentified_chest_ct_slices_have_no_findings()
    {
        foreach (var slice in Enumerable.Range(1, 5))
        {
            Verification.Run(CleanDatasets.Ct(slice)).ShouldBeEmpty();
        }
    }

    [Fact]
    public void Dummy_values_in_emptied_attributes_are_accepted()
    {
        var dataset = CleanDatasets.Cr()
            .With(0x00080090, "PN", "ANONYMOUS")
            .With(0x00080050, "SH", "REMOVED")
            .With(0x00100030, "DA");

        Verification.Run(dataset).ShouldBeEmpty();
    }

    [Fact]
    public void Project_labels_written_by_the_RSNA_Anonymizer_are_accepted()
    {
        var dataset = CleanDatasets.Cr()
            .With(0x00130010, "LO", "CTP")
            .With(0x00131010, "LO", "MIDRC-RICORD")
            .With(0x00131013, "LO", "419639");

        Verification.Run(dataset).ShouldBeEmpty();
    }
}
