namespace Midrc.Curation.Tests.Deidentification;

/// <summary>Properly de-identified chest exams, as an anonymizer set up for the MIDRC default profile writes them.</summary>
internal static class CleanDatasets
{
    public const string Pseudonym = "419639-000082";
    public const string AnonymizedRoot = "1.2.826.0.1.3680043.10.474.419639";

    /// <summary>A chest radiograph (CR), PA view.</summary>
    public static TestDataset Cr() => Common("1.2.840.10008.5.1.4.1.1.1", "CR", "1")
        .With(0x00080008, "CS", "ORIGINAL", "PRIMARY")
        .With(0x00081030, "LO", "CHEST PA AND LATERAL")
        .With(0x0008103E, "LO", "PA")
        .With(0x00185101, "CS", "PA")
        .With(0x00280010, "US", "2500")
        .With(0x00280011, "US", "2048")
        .With(0x00181164, "DS", "0.139", "0.139");

    /// <summary>One slice of a chest CT, with a safe private attribute and a cleaned protocol name.</summary>
    public static TestDataset Ct(int slice = 1) => Common("1.2.840.10008.5.1.4.1.1.2", "CT", slice.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With(0x00080008, "CS", "ORIGINAL", "PRIMARY", "AXIAL")
        .With(0x00081030, "LO", "CT CHEST W/O CONTRAST")
        .With(0x0008103E, "LO", "Lung 1.25mm")
        .With(0x00080022, "DA", "19850314")
        .With(0x00080032, "TM", "101523.250")
        .With(0x00181030, "LO", "CHEST ROUTINE")
        .With(0x00180050, "DS", "1.25")
        .With(0x00180060, "DS", "120")
        .With(0x00181210, "SH", "LUNG")
        .With(0x00200032, "DS", "-175.5", "-180", (-10 - 1.25 * slice).ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With(0x00200037, "DS", "1", "0", "0", "0", "1", "0")
        .With(0x00200052, "UI", $"{AnonymizedRoot}.3.1")
        .With(0x00280010, "US", "512")
        .With(0x00280011, "US", "512")
        .With(0x00280030, "DS", "0.703125", "0.703125")
        .With(0x00190010, "LO", "GEMS_ACQU_01")
        .With(0x00191023, "DS", "39.375")
        .WithSequence(0x00081140, TestDataset.Create()
            .With(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2")
            .With(0x00081155, "UI", $"{AnonymizedRoot}.4.1"));

    private static TestDataset Common(string sopClass, string modality, string instance) => TestDataset.Create()
        .With(0x00080005, "CS", "ISO_IR 100")
        .With(0x00080016, "UI", sopClass)
        .With(0x00080018, "UI", $"{AnonymizedRoot}.1.{modality}.{instance}")
        .With(0x00080020, "DA", "19850314")
        .With(0x00080021, "DA", "19850314")
        .With(0x00080023, "DA", "19850314")
        .With(0x00080030, "TM", "101500")
        .With(0x00080050, "SH")
        .With(0x00080060, "CS", modality)
        .With(0x00080070, "LO", "GE MEDICAL SYSTEMS")
        .With(0x00080090, "PN")
        .With(0x00081090, "LO", "Revolution EVO")
        .With(0x00100010, "PN", Pseudonym)
        .With(0x00100020, "LO", Pseudonym)
        .With(0x00100030, "DA")
        .With(0x00100040, "CS", "F")
        .With(0x00101010, "AS", "067Y")
        .With(0x00120062, "CS", "YES")
        .With(0x00120063, "LO", "RSNA DICOM ANONYMIZER")
        .With(0x00180015, "CS", "CHEST")
        .With(0x00181020, "LO", "sw 16.01")
        .With(0x0020000D, "UI", $"{AnonymizedRoot}.2")
        .With(0x0020000E, "UI", $"{AnonymizedRoot}.2.{modality}")
        .With(0x00200010, "SH")
        .With(0x00200011, "IS", "1")
        .With(0x00200013, "IS", instance)
        .With(0x00280301, "CS", "NO");
}
