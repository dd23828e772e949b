using Midrc.Curation.Clinical;
using Midrc.Curation.Dicom;
using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Tests.Clinical;

public sealed class ClinicalImageCrossCheckTests
{
    static readonly ClinicalImageCrossCheck AnyDay = new(new ImagingStayWindowOptions());

    static ReceivedStudy Received(ClinicalImagingStudy row, string? patientId = null) =>
        new() { StudyInstanceUid = row.StudyUid!, PatientIds = [patientId ?? row.CaseId], File = "incoming/1.dcm" };

    [Fact]
    public async Task MatchingStudiesAndRows_HaveNoFindings()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        AnyDay.Check(s, [Received(s.ImagingStudies[0])]).ShouldBeEmpty();
    }

    [Fact]
    public async Task ImagingStudyRowWithoutReceivedDicom_IsReported()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = AnyDay.Check(s, []).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.StudyNotReceived);
        finding.File.ShouldBe("imaging_study.csv");
        finding.Path.ShouldBe("row 2, column study_uid");
        finding.Hint.ShouldContain("copy the UID from the de-identified files");
    }

    [Fact]
    public async Task ReceivedDicomStudyWithoutARow_IsReportedOnTheDicomFile()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var extra = new ReceivedStudy { StudyInstanceUid = "1.2.3.4", PatientIds = ["SITE01-0001"], File = "incoming/9.dcm" };

        var finding = AnyDay.Check(s, [Received(s.ImagingStudies[0]), extra]).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.StudyWithoutClinicalRow);
        finding.File.ShouldBe("incoming/9.dcm");
        finding.Tag.ShouldBe("(0020,000D)");
        finding.Keyword.ShouldBe("StudyInstanceUID");
        finding.Message.ShouldContain("1.2.3.4");
    }

    [Fact]
    public async Task CaseIdDifferentFromTheDicomPatientId_IsReported()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = AnyDay.Check(s, [Received(s.ImagingStudies[0], patientId: "SITE01-0002")]).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.PatientIdMismatch);
        finding.Keyword.ShouldBe(Col.CaseSubmitterId);
        finding.Message.ShouldContain("PatientID SITE01-0002");
    }

    [Fact]
    public async Task StudyOutsideTheStay_IsAcceptedWhenTheProgramDoesNotRequireIt()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var late = s with { ImagingStudies = [s.ImagingStudies[0] with { DaysToStudy = 30 }] };

        AnyDay.Check(late, [Received(late.ImagingStudies[0])]).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(-3)]
    [InlineData(30)]
    public async Task StudyOutsideTheStay_IsReportedWhenRequired(int day)
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var outside = s with { ImagingStudies = [s.ImagingStudies[0] with { DaysToStudy = day }] };
        var check = new ClinicalImageCrossCheck(new ImagingStayWindowOptions { Required = true, DaysBeforeAdmission = 2, DaysAfterDischarge = 7 });

        var finding = check.Check(outside, [Received(outside.ImagingStudies[0])]).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.StudyOutsideStay);
        finding.Keyword.ShouldBe(Col.DaysToStudy);
        finding.Message.ShouldContain("day 0 to 14");
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(21)]
    public async Task StudyWithinTheConfiguredWindowAroundTheStay_IsAccepted(int day)
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var near = s with { ImagingStudies = [s.ImagingStudies[0] with { DaysToStudy = day }] };
        var check = new ClinicalImageCrossCheck(new ImagingStayWindowOptions { Required = true, DaysBeforeAdmission = 2, DaysAfterDischarge = 7 });

        check.Check(near, [Received(near.ImagingStudies[0])]).ShouldBeEmpty();
    }

    [Fact]
    public async Task StudyOfACaseWithNoRecordedStay_IsReportedWhenTheStayIsRequired()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var check = new ClinicalImageCrossCheck(new ImagingStayWindowOptions { Required = true });

        var finding = check.Check(s with { Visits = [] }, [Received(s.ImagingStudies[0])]).ShouldHaveSingleItem();

        finding.Message.ShouldContain("no hospital stay with an admission day is recorded");
    }

    [Fact]
    public void ReceivedStudies_AreGroupedFromIndexAttributes_WithTheirDistinctPatientIds()
    {
        (string, IndexAttributes)[] files =
        [
            ("a/1.dcm", new IndexAttributes { StudyInstanceUid = "1.1", PatientId = "P1" }),
            ("a/2.dcm", new IndexAttributes { StudyInstanceUid = "1.1", PatientId = "P1" }),
            ("a/3.dcm", new IndexAttributes { StudyInstanceUid = "1.1", PatientId = "P9" }),
            ("b/1.dcm", new IndexAttributes { StudyInstanceUid = "2.2", PatientId = null }),
            ("c/1.dcm", new IndexAttributes { StudyInstanceUid = null, PatientId = "P1" }),
        ];

        var studies = ReceivedStudy.From(files);

        studies.Select(s => s.StudyInstanceUid).ShouldBe(["1.1", "2.2"]);
        studies[0].PatientIds.ShouldBe(["P1", "P9"]);
        studies[0].File.ShouldBe("a/1.dcm");
        studies[1].PatientIds.ShouldBeEmpty();
    }
}
