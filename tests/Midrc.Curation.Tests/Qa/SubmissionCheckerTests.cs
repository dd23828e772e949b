using System.Globalization;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;
using Midrc.Curation.Tests.Deidentification;

namespace Midrc.Curation.Tests.Qa;

public class SubmissionCheckerTests
{
    private static readonly Dictionary<string, string> NothingReceived = [];
    private readonly SubmissionChecker _checker = new(Verification.DefaultProfile);

    private static SubmittedFile Ct(int slice, double z, string sha = "", string series = "1.2.3.4", string patient = "419639-000082") =>
        new($"ct/{slice}.dcm", sha.Length > 0 ? sha : $"sha{slice}", new IndexAttributes
        {
            SopInstanceUid = $"1.2.3.4.{slice}",
            StudyInstanceUid = "1.2.3",
            SeriesInstanceUid = series,
            Modality = "CT",
            PatientId = patient,
            PatientName = patient,
            Rows = "512",
            Columns = "512",
            SliceThickness = "1.25",
            ImageOrientationPatient = "1\\0\\0\\0\\1\\0",
            ImagePositionPatient = string.Create(CultureInfo.InvariantCulture, $"-175\\-180\\{z}"),
        });

    private static List<SubmittedFile> Series(int count, double spacing = 1.25) =>
        [.. Enumerable.Range(1, count).Select(i => Ct(i, -10 - spacing * i))];

    [Fact]
    public void Check_FindsNothing_InAConsistentCompleteSeries()
    {
        _checker.Check(Series(20), NothingReceived, new DeclaredCounts(Files: 20, Studies: 1, Series: 1)).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsDuplicate_WhenTheSameFileIsSentTwice()
    {
        var files = Series(5);
        files.Add(files[2] with { File = "copy.dcm" });

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.duplicate-sop-instance");
        finding.Severity.ShouldBe(Severity.Warning);
        finding.File.ShouldBe("copy.dcm");
        finding.Message.ShouldContain("ct/3.dcm");
    }

    [Fact]
    public void Check_ReportsConflict_WhenTwoDifferentFilesShareASopInstanceUid()
    {
        var files = Series(5);
        files.Add(files[2] with { File = "edited.dcm", Sha256 = "other" });

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.conflicting-sop-instance");
        finding.Severity.ShouldBe(Severity.Error);
        finding.Tag.ShouldBe("(0008,0018)");
    }

    [Fact]
    public void Check_ComparesWithFilesAlreadyReceived()
    {
        var received = new Dictionary<string, string> { ["1.2.3.4.1"] = "sha1", ["1.2.3.4.2"] = "different" };

        var findings = _checker.Check(Series(5), received);

        findings.Select(f => (f.Rule, f.File)).ShouldBe(
            [("qa.duplicate-sop-instance", "ct/1.dcm"), ("qa.conflicting-sop-instance", "ct/2.dcm")], ignoreOrder: true);
    }

    [Fact]
    public void Check_ReportsSliceThicknessVaryingWithinASeries_AtTheOddFileOut()
    {
        var files = Series(6);
        files[4] = files[4] with { Attributes = files[4].Attributes with { SliceThickness = "5.0" } };

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.series-inconsistent");
        finding.Keyword.ShouldBe("SliceThickness");
        finding.File.ShouldBe("ct/5.dcm");
        finding.Message.ShouldContain("1.25 (5 files), 5 (1 file)");
    }

    [Fact]
    public void Check_TreatsEqualNumbersWrittenDifferentlyAsTheSame()
    {
        var files = Series(4);
        files[1] = files[1] with { Attributes = files[1].Attributes with { SliceThickness = "1.250" } };

        _checker.Check(files, NothingReceived).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsModalityAndStudyVaryingWithinASeries()
    {
        var files = Series(4);
        files[0] = files[0] with { Attributes = files[0].Attributes with { Modality = "PT", StudyInstanceUid = "9.9" } };

        _checker.Check(files, NothingReceived).Where(f => f.Rule == "qa.series-inconsistent").Select(f => f.Keyword)
            .ShouldBe(["Modality", "StudyInstanceUID"]);
    }

    [Fact]
    public void Check_ReportsSliceGap_ProjectedOnTheSliceNormal()
    {
        // Oblique (tilted) series: positions move along the normal of a rotated orientation.
        var orientation = "1\\0\\0\\0\\0.8660254\\-0.5";
        var normal = (X: 0.0, Y: 0.5, Z: 0.8660254);
        var files = Enumerable.Range(1, 12)
            .Where(i => i is not (6 or 7))
            .Select(i => Ct(i, 0) with
            {
                Attributes = Ct(i, 0).Attributes with
                {
                    ImageOrientationPatient = orientation,
                    ImagePositionPatient = string.Create(CultureInfo.InvariantCulture, $"{normal.X * 2 * i}\\{normal.Y * 2 * i}\\{normal.Z * 2 * i}"),
                },
            })
            .ToList();

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.ct-slice-gap");
        finding.File.ShouldBe("ct/8.dcm");
        finding.Message.ShouldContain("1 gap in");
        finding.Message.ShouldContain("about 2 missing slices");
        finding.Message.ShouldContain("normally 2 mm apart");
    }

    [Fact]
    public void Check_IgnoresSliceOrderAndNonCtSeries()
    {
        var shuffled = Series(10).OrderBy(f => f.File.GetHashCode(StringComparison.Ordinal)).ToList();
        var cr = Series(10).Where((_, i) => i % 3 == 0).Select(f => f with { Attributes = f.Attributes with { Modality = "CR" } }).ToList();

        _checker.Check(shuffled, NothingReceived).ShouldBeEmpty();
        _checker.Check(cr, NothingReceived).ShouldBeEmpty();
    }

    [Fact]
    public void Check_ReportsStudyWithTwoPatients()
    {
        var files = Series(4);
        files.Add(Ct(9, -30, series: "1.2.3.5", patient: "419639-000099"));

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.study-multiple-patients");
        finding.File.ShouldBe("ct/9.dcm");
        finding.Message.ShouldContain("419639-000082 (4 files), 419639-000099 (1 file)");
    }

    [Fact]
    public void Check_ReportsPatientNamesDifferingForOnePatientId_Masked()
    {
        var files = Series(3);
        files[2] = files[2] with { Attributes = files[2].Attributes with { PatientName = "DOE^JANE" } };

        var finding = _checker.Check(files, NothingReceived).ShouldHaveSingleItem();

        finding.Rule.ShouldBe("qa.patient-name-inconsistent");
        finding.Message.ShouldContain("D** J***");
        finding.Message.ShouldNotContain("DOE");
    }

    [Fact]
    public void Check_ReportsCountsThatDoNotMatchTheDeclaration()
    {
        var findings = _checker.Check(Series(5), NothingReceived, new DeclaredCounts(Files: 6, Studies: 1, Series: 2));

        findings.Select(f => f.Message).ShouldBe(["The site declared 6 files, but 5 were received.", "The site declared 2 series, but 1 were received."]);
        findings.ShouldAllBe(f => f.File == SubmissionChecker.SubmissionFile && f.Rule == "qa.count-mismatch");
    }

    [Fact]
    public void Check_FollowsTheProfile_WhenARuleIsOff()
    {
        var profile = Verification.DefaultWith("rules:\n", "rules:\n  qa.count-mismatch: off\n");

        new SubmissionChecker(profile).Check(Series(5), NothingReceived, new DeclaredCounts(Files: 6)).ShouldBeEmpty();
        new SubmissionChecker(RuleSettings.Defaults).Check(Series(5), NothingReceived, new DeclaredCounts(Files: 6)).ShouldHaveSingleItem();
    }
}
