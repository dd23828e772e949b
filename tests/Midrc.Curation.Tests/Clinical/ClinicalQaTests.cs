using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;
using Col = Midrc.Curation.Clinical.ClinicalColumnNames;

namespace Midrc.Curation.Tests.Clinical;

public sealed class ClinicalQaTests
{
    [Fact]
    public async Task DuplicateIdWithinANode_IsReportedOnTheLaterRow()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var copy = s.Measurements[0] with { Source = new ClinicalSource("measurement.csv", 3) };

        var finding = ClinicalQa.Check(s with { Measurements = [s.Measurements[0], copy] }).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.DuplicateId);
        finding.Path.ShouldBe("row 3, column submitter_id");
        finding.Message.ShouldContain("first in measurement.csv row 2");
    }

    [Fact]
    public async Task SameIdInDifferentNodes_IsNotADuplicate()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        ClinicalQa.Check(s with { Visits = [s.Visits[0] with { SubmitterId = s.Cases[0].SubmitterId }] }).ShouldBeEmpty();
    }

    [Fact]
    public async Task TwoImagingStudyRowsForOneStudyUid_AreReported()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var second = s.ImagingStudies[0] with { SubmitterId = "S-2", Source = new ClinicalSource("imaging_study.csv", 3) };

        var finding = ClinicalQa.Check(s with { ImagingStudies = [s.ImagingStudies[0], second] }).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.DuplicateStudyUid);
        finding.Path.ShouldBe("row 3, column study_uid");
    }

    [Fact]
    public async Task RowOfAnUnknownCase_IsReported()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var findings = ClinicalQa.Check(s with { Procedures = [s.Procedures[0] with { CaseId = "NOPE" }] });

        var finding = findings.SingleOf(ClinicalRules.UnknownCase);
        finding.File.ShouldBe("procedure.csv");
        finding.Keyword.ShouldBe(Col.CaseSubmitterId);
        finding.Message.ShouldContain("NOPE");
    }

    [Fact]
    public async Task RowOfACaseSentInAnEarlierSubmission_IsNotAnUnknownCase()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        ClinicalQa.Check(s with { Cases = [] }, previouslyReceived: s with { Visits = [], Procedures = [], Measurements = [], ImagingStudies = [] })
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task CaseWithoutAnImagingStudy_IsReported_UnlessTheStudyWasSentBefore()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var withoutStudy = s with { ImagingStudies = [] };

        ClinicalQa.Check(withoutStudy).SingleOf(ClinicalRules.CaseWithoutImagingStudy).Path.ShouldBe("row 2, column submitter_id");
        ClinicalQa.Check(withoutStudy, previouslyReceived: ClinicalSubmission.Empty with { ImagingStudies = s.ImagingStudies }).ShouldBeEmpty();
    }

    [Fact]
    public async Task ProblemsOfRowsAcceptedBefore_AreNotReportedAgain()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var earlier = ClinicalSubmission.Empty with { Cases = [s.Cases[0] with { SubmitterId = "OLD-1" }] };

        ClinicalQa.Check(s, previouslyReceived: earlier).ShouldBeEmpty();
        ClinicalQa.Check(earlier).SingleOf(ClinicalRules.CaseWithoutImagingStudy).Message.ShouldContain("OLD-1");
    }

    [Fact]
    public async Task ResentRow_ReplacesTheEarlierRowWithTheSameId()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var earlier = s with { Cases = [s.Cases[0] with { IcuIndicator = false }] };

        var merged = s.OnTopOf(earlier);

        merged.Cases.ShouldHaveSingleItem().IcuIndicator.ShouldBe(true);
        ClinicalQa.Check(s, earlier).ShouldBeEmpty();
    }

    [Theory]
    [InlineData(5, 2, 9, 14, Col.DaysToIcuAdmission)]
    [InlineData(0, 2, 1, 14, Col.DaysToIcuDischarge)]
    [InlineData(0, 2, 20, 14, Col.DaysToHospitalDischarge)]
    [InlineData(3, null, null, 1, Col.DaysToHospitalDischarge)]
    public async Task VisitEventsOutOfOrder_AreReportedOnTheEarlyEvent(int admission, int? icuIn, int? icuOut, int discharge, string column)
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var visit = s.Visits[0] with { DaysToHospitalAdmission = admission, DaysToIcuAdmission = icuIn, DaysToIcuDischarge = icuOut, DaysToHospitalDischarge = discharge };

        var finding = ClinicalQa.Check(s with { Visits = [visit] }).SingleOf(ClinicalRules.TimelineOrder);

        finding.Keyword.ShouldBe(column);
        finding.Hint.ShouldContain("days_to_hospital_admission ≤ days_to_icu_admission ≤ days_to_icu_discharge ≤ days_to_hospital_discharge");
    }

    [Fact]
    public async Task VisitEventsOnTheSameDay_AreInOrder()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var visit = s.Visits[0] with { DaysToHospitalAdmission = 2, DaysToIcuAdmission = 2, DaysToIcuDischarge = 2, DaysToHospitalDischarge = 2 };
        var procedure = s.Procedures[0] with { DaysToProcedureStart = 2, DaysToProcedureEnd = 2 };

        ClinicalQa.Check(s with { Visits = [visit], Procedures = [procedure] }).ShouldBeEmpty();
    }

    [Fact]
    public async Task BreathingSupportEndingBeforeItStarts_IsReported()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = ClinicalQa.Check(s with { Procedures = [s.Procedures[0] with { DaysToProcedureStart = 6, DaysToProcedureEnd = 4 }] })
            .SingleOf(ClinicalRules.TimelineOrder);

        finding.Path.ShouldBe("row 2, column days_to_procedure_end");
        finding.Message.ShouldBe("days_to_procedure_end (4) is earlier than days_to_procedure_start (6).");
    }

    [Theory]
    [InlineData(-1, 5)]
    [InlineData(3, 15)]
    [InlineData(20, null)]
    public async Task BreathingSupportOutsideTheStay_IsReported(int start, int? end)
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = ClinicalQa.Check(s with { Procedures = [s.Procedures[0] with { DaysToProcedureStart = start, DaysToProcedureEnd = end }] })
            .SingleOf(ClinicalRules.ProcedureOutsideStay);

        finding.Message.ShouldContain("day 0 to 14");
    }

    [Fact]
    public async Task BreathingSupportDuringAnyOfTheStays_OrWithAnOpenEndedStay_IsAccepted()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var readmission = s.Visits[0] with
        {
            SubmitterId = "V-2", DaysToHospitalAdmission = 30, DaysToHospitalDischarge = null, DaysToIcuAdmission = null, DaysToIcuDischarge = null,
        };

        ClinicalQa.Check(s with { Visits = [s.Visits[0], readmission], Procedures = [s.Procedures[0] with { DaysToProcedureStart = 40, DaysToProcedureEnd = 45 }] })
            .ShouldBeEmpty();
    }

    [Fact]
    public async Task AgeBlankWithoutTheOver89Flag_IsReported_AndWithTheFlagIsAccepted()
    {
        var header = ClinicalTemplates.Header(ClinicalNode.Case);
        var parsed = await ClinicalCsv.ReadAsync(header
            + ClinicalCsv.Row(ClinicalNode.Case, (Col.AgeAtIndex, ""), (Col.AgeAtIndexGt89, ""))
            + ClinicalCsv.Row(ClinicalNode.Case, (Col.SubmitterId, "OLD-1"), (Col.AgeAtIndex, ""), (Col.AgeAtIndexGt89, "Yes"), (Col.IcuIndicator, ""), (Col.VentilatorIndicator, "")), ClinicalNode.Case);
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var studyOfOld = s.ImagingStudies[0] with { SubmitterId = "S-OLD", CaseId = "OLD-1", StudyUid = "1.2.3" };

        var findings = ClinicalQa.Check(s with { Cases = ClinicalSubmission.From([parsed]).Cases, ImagingStudies = [s.ImagingStudies[0], studyOfOld] });

        parsed.Findings.ShouldBeEmpty();
        var finding = findings.ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.AgeMissing);
        finding.Path.ShouldBe("row 2, column age_at_index");
    }

    [Fact]
    public async Task AgeRejectedByTheReader_IsNotAlsoReportedAsMissing()
    {
        var parsed = await ClinicalCsv.ReadAsync(ClinicalCsv.WithValue(ClinicalNode.Case, Col.AgeAtIndex, "95"), ClinicalNode.Case);
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        parsed.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.AgeOver89);
        ClinicalQa.Check(s with { Cases = ClinicalSubmission.From([parsed]).Cases }).ShouldBeEmpty();
    }

    [Fact]
    public async Task AgeWithTheOver89Flag_IsAConflict()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = ClinicalQa.Check(s with { Cases = [s.Cases[0] with { AgeAtIndexGt89 = true }] }).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.AgeFlagConflict);
    }

    [Fact]
    public async Task IcuIndicatorNo_WithIcuDays_IsAnError()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = ClinicalQa.Check(s with { Cases = [s.Cases[0] with { IcuIndicator = false }] }).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.IcuIndicatorMismatch);
        finding.Severity.ShouldBe(Severity.Error);
        finding.Keyword.ShouldBe(Col.IcuIndicator);
    }

    [Fact]
    public async Task IcuIndicatorYes_WithoutIcuDays_IsAWarning_AndNo_WithoutIcuDays_IsConsistent()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var noIcu = s with { Visits = [s.Visits[0] with { DaysToIcuAdmission = null, DaysToIcuDischarge = null }] };

        var finding = ClinicalQa.Check(noIcu).ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.IcuIndicatorMismatch);
        finding.Severity.ShouldBe(Severity.Warning);
        ClinicalQa.Check(noIcu with { Cases = [s.Cases[0] with { IcuIndicator = false }] }).ShouldBeEmpty();
    }

    [Fact]
    public async Task VentilatorIndicatorNo_WithMechanicalVentilation_IsAnError()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();

        var finding = ClinicalQa.Check(s with { Cases = [s.Cases[0] with { VentilatorIndicator = false }] }).ShouldHaveSingleItem();

        finding.Rule.ShouldBe(ClinicalRules.VentilatorIndicatorMismatch);
        finding.Severity.ShouldBe(Severity.Error);
    }

    [Fact]
    public async Task VentilatorIndicatorYes_WithOnlyOxygen_IsAWarning_AndNo_WithOnlyOxygen_IsConsistent()
    {
        var s = await ClinicalCsv.ExampleSubmissionAsync();
        var oxygenOnly = s with { Procedures = [s.Procedures[0] with { ProcedureType = BreathingSupport.SupplementalOxygen }] };

        var finding = ClinicalQa.Check(oxygenOnly).ShouldHaveSingleItem();
        finding.Rule.ShouldBe(ClinicalRules.VentilatorIndicatorMismatch);
        finding.Severity.ShouldBe(Severity.Warning);
        ClinicalQa.Check(oxygenOnly with { Cases = [s.Cases[0] with { VentilatorIndicator = false }] }).ShouldBeEmpty();
    }
}
