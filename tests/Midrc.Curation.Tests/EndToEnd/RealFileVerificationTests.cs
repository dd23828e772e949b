using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Profiles;
using Midrc.Curation.Qa;
using Midrc.Curation.Reports;
using Midrc.Curation.Synthetic;

namespace Midrc.Curation.Tests.EndToEnd;

/// <summary>The reader and the checks together, on real files: generated ones and pydicom's third-party ones.</summary>
public sealed class RealFileVerificationTests
{
    private static readonly CurationProfile Profile = ProfileLoader.LoadDefault();

    [Fact]
    public void Properly_deidentified_generated_files_raise_no_error()
    {
        using var folder = new TemporaryDirectory();
        var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = "UCH" });
        var files = writer.WriteChestRadiograph(Path.Combine(folder, "cxr"), 1).Files
            .Concat(writer.WriteCtSeries(Path.Combine(folder, "ct"), 12, 2).Files)
            .ToList();
        var reader = new GdcmDicomReader();
        var verifier = new FileVerifier(Profile);

        var perFile = files.Select(f => (File: f, View: reader.Read(f))).ToList();
        var findings = perFile.SelectMany(f => verifier.Verify(f.View))
            .Concat(new SubmissionChecker(Profile).Check(
                [.. perFile.Select(f => new SubmittedFile(f.File, f.File, IndexAttributes.From(f.View)))],
                new Dictionary<string, string>()))
            .ToList();

        findings.Where(f => f.Severity == Severity.Error).ShouldBeEmpty();
    }

    [Fact]
    public void Every_pydicom_file_is_either_verified_or_reported_unreadable_without_crashing()
    {
        var reader = new GdcmDicomReader();
        var verifier = new FileVerifier(Profile);
        var report = new VerificationReportBuilder();
        var read = 0;

        foreach (var file in TestData.AllPydicomFiles())
        {
            DicomFileView view;
            try
            {
                view = reader.Read(file);
            }
            catch (DicomReadException e)
            {
                report.AddUnreadable(file, e.Message);
                continue;
            }
            read++;
            report.AddFile(file, verifier.Verify(view));
        }

        var built = report.Build();
        built.Files.ShouldBe(TestData.AllPydicomFiles().Count());
        read.ShouldBeGreaterThan(built.Files * 3 / 4, "most of pydicom's files are valid DICOM");
        // Third-party test files are not de-identified: the verifier must say so, at every depth.
        built.Findings.ShouldContain(f => f.Rule == "deid.annex-e-attribute-present" || f.Rule == "deid.annex-e-attribute-not-dummy");
        built.Findings.ShouldContain(f => f.Path.Contains('[', StringComparison.Ordinal), "findings inside sequences are located by path");
    }
}
