using System.Globalization;
using Midrc.Curation.Dicom;
using Midrc.Curation.Synthetic;
using Midrc.Curation.Tests.Oracles;

namespace Midrc.Curation.Tests.Synthetic;

public sealed class SyntheticDicomWriterTests : IDisposable
{
    private readonly TemporaryDirectory _dir = new();

    [Fact]
    public void WriteChestRadiograph_WritesADeidentifiedImage_ThatDcmtkAndPydicomRead()
    {
        var series = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH" }).WriteChestRadiograph(_dir, patientNumber: 7);

        var path = series.Files.ShouldHaveSingleItem();
        var dump = ExternalTool.Run("dcmdump", path);
        dump.ShouldContain("(0002,0010) UI =LittleEndianExplicit");
        dump.ShouldContain("(0012,0062) CS [YES]");
        dump.ShouldContain("(0010,0010) PN [UCH-0007]");
        dump.ShouldContain("(0018,0015) CS [CHEST]");
        var pydicom = ExternalTool.PythonScript(
            "import sys, pydicom; d = pydicom.dcmread(sys.argv[1]); a = d.pixel_array; "
            + "print(d.Modality, d.PatientID, d.PatientIdentityRemoved, a.shape[0], a.shape[1], int(a.max()) > 0, d.DeidentificationMethod != '')",
            path);
        pydicom.Trim().ShouldBe("DX UCH-0007 YES 512 512 True True");
        series.PatientId.ShouldBe("UCH-0007");
    }

    [Fact]
    public void WriteChestRadiograph_WritesComputedRadiography_WhenAskedForCr()
    {
        var path = new SyntheticDicomWriter(new SyntheticDicomOptions { ChestModality = "CR" }).WriteChestRadiograph(_dir).Files[0];

        var index = IndexAttributes.From(new GdcmDicomReader().Read(path));

        (index.Modality, index.SopClassUid).ShouldBe(("CR", "1.2.840.10008.5.1.4.1.1.1"));
    }

    [Fact]
    public void WriteChestRadiograph_WritesALargeImage_WhenAskedFor2048Pixels()
    {
        var path = new SyntheticDicomWriter(new SyntheticDicomOptions { ChestSize = 2048 }).WriteChestRadiograph(_dir).Files[0];

        new FileInfo(path).Length.ShouldBeGreaterThan(2048 * 2048 * 2);
        var view = new GdcmDicomReader().Read(path);
        view.HasPixelData.ShouldBeTrue();
        IndexAttributes.From(view).Rows.ShouldBe("2048");
    }

    [Fact]
    public void WriteCtSeries_WritesContiguousSlicesOfOneSeries_AsPydicomSeesThem()
    {
        var series = new SyntheticDicomWriter().WriteCtSeries(_dir, sliceCount: 5, patientNumber: 3);

        series.Files.Count.ShouldBe(5);
        var lines = ExternalTool.PythonScript(
            "import sys, pydicom\nfor p in sys.argv[1:]:\n d = pydicom.dcmread(p)\n print(d.StudyInstanceUID, d.SeriesInstanceUID, d.SOPInstanceUID, d.ImagePositionPatient[2], d.SliceThickness, d.Rows, d.BodyPartExamined)",
            [.. series.Files]).Trim().Split('\n').Select(l => l.Split(' ')).ToList();
        lines.Select(l => l[0]).Distinct().ShouldBe([series.StudyInstanceUid]);
        lines.Select(l => l[1]).Distinct().ShouldBe([series.SeriesInstanceUid]);
        lines.Select(l => l[2]).Distinct().Count().ShouldBe(5);
        var z = lines.Select(l => double.Parse(l[3], CultureInfo.InvariantCulture)).ToList();
        z.Zip(z.Skip(1), (a, b) => a - b).ShouldAllBe(gap => Math.Abs(gap - 2.5) < 1e-9);
        lines.ShouldAllBe(l => l[4] == "2.5" && l[5] == "64" && l[6] == "CHEST");
    }

    [Fact]
    public void NewUid_MakesUniqueUuidDerivedUids_UnderTheDefaultRoot()
    {
        var writer = new SyntheticDicomWriter();

        var uids = Enumerable.Range(0, 100).Select(_ => writer.NewUid()).ToList();

        uids.Distinct().Count().ShouldBe(100);
        uids.ShouldAllBe(u => u.StartsWith("2.25.") && u.Length <= 64 && u.Skip(5).All(char.IsAsciiDigit));
    }

    [Fact]
    public void NewUid_UsesTheConfiguredRoot()
    {
        var uid = new SyntheticDicomWriter(new SyntheticDicomOptions { UidRoot = "1.2.826.0.1.3680043.10.1234" }).NewUid();

        uid.ShouldStartWith("1.2.826.0.1.3680043.10.1234.");
        uid.Length.ShouldBeLessThanOrEqualTo(64);
    }

    public void Dispose() => _dir.Dispose();
}
