using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using Midrc.Curation.Tests.Deidentification;

namespace Midrc.Curation.Tests.Reports;

public class VerificationReportTests
{
    private static Finding F(string file, string rule, Severity severity = Severity.Error) => new()
    {
        File = file,
        Rule = rule,
        Severity = severity,
        Tag = "(0010,0010)",
        Path = "(0008,1120)[0].(0010,0010)",
        Keyword = "PatientName",
        Message = "m",
        Hint = "h",
    };

    [Fact]
    public void Build_CountsPassedFailedAndUnreadableFiles()
    {
        var report = new VerificationReportBuilder()
            .AddFile("a.dcm", [])
            .AddFile("b.dcm", [F("b.dcm", "deid.free-text-phi")])
            .AddFile("c.dcm", [F("c.dcm", "deid.screen-save", Severity.Warning)])
            .AddFile("d.dcm", [])
            .AddUnreadable("e.dcm", "not a DICOM file")
            .AddFindings([F("d.dcm", "qa.conflicting-sop-instance")])
            .Build();

        (report.Files, report.Passed, report.Failed, report.Unreadable).ShouldBe((5, 2, 2, 1));
        report.HasErrors.ShouldBeTrue();
        report.Findings.ShouldContain(f => f.File == "e.dcm" && f.Rule == "parse.unreadable" && f.Message.Contains("not a DICOM file"));
    }

    [Fact]
    public void ToJson_WritesTheDesignShape_InItsKeyOrder()
    {
        var report = new VerificationReportBuilder().AddFile("b.dcm", [F("b.dcm", "deid.screen-save", Severity.Warning)]).Build();

        report.ToJson(indented: false).ShouldBe(
            """{"files":1,"passed":1,"failed":0,"unreadable":0,"findings":[{"file":"b.dcm","rule":"deid.screen-save","severity":"warning","tag":"(0010,0010)","path":"(0008,1120)[0].(0010,0010)","keyword":"PatientName","message":"m","hint":"h"}]}""");
    }

    [Fact]
    public void ToJson_KeepsQuotesAndEllipsisReadable()
    {
        var report = new VerificationReportBuilder().AddFile("b.dcm", [F("b.dcm", "deid.free-text-phi") with { Message = "holds 'S**** J***…'" }]).Build();

        report.ToJson().ShouldContain("\"message\": \"holds 'S**** J***…'\"");
    }

    [Fact]
    public void ByRule_GroupsThousandsOfFindings_IntoRulesAndSeriesWithExamples()
    {
        var builder = new VerificationReportBuilder();
        var attributes = new Dictionary<string, IndexAttributes>();
        for (var i = 0; i < 1000; i++)
        {
            var file = $"s{i % 2}/{i}.dcm";
            attributes[file] = new IndexAttributes { StudyInstanceUid = "1.2", SeriesInstanceUid = $"1.2.{i % 2}" };
            builder.AddFile(file, [F(file, "deid.private-attribute"), .. i < 10 ? [F(file, "deid.burned-in-annotation", Severity.Warning)] : Array.Empty<Finding>()]);
        }

        var groups = CoordinatorSummary.ByRule(builder.Build(), attributes);

        groups.Select(g => (g.Rule, g.Severity, g.Findings, g.Files)).ShouldBe(
            [("deid.private-attribute", "error", 1000, 1000), ("deid.burned-in-annotation", "warning", 10, 10)]);
        var series = groups[0].Series;
        series.Count.ShouldBe(2);
        series.ShouldAllBe(s => s.Findings == 500 && s.ExampleFiles.Count == 3 && s.StudyInstanceUid == "1.2");
    }

    [Fact]
    public void Csv_WritesOneRowPerFindingAndOnePerRuleAndSeries()
    {
        var report = new VerificationReportBuilder()
            .AddFile("a.dcm", [F("a.dcm", "deid.free-text-phi") with { Message = "Study Description contains \"a date\", really" }])
            .Build();
        using var findings = new StringWriter();
        using var groups = new StringWriter();

        CoordinatorSummary.WriteFindingsCsv(report, findings);
        CoordinatorSummary.WriteGroupsCsv(CoordinatorSummary.ByRule(report, new Dictionary<string, IndexAttributes>()), groups);

        findings.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            "file,rule,severity,tag,path,keyword,message,hint",
            "a.dcm,deid.free-text-phi,error,\"(0010,0010)\",\"(0008,1120)[0].(0010,0010)\",PatientName,\"Study Description contains \"\"a date\"\", really\",h",
        ]);
        groups.ToString().ShouldStartWith("rule,severity,study_instance_uid,series_instance_uid,findings,files,example_files,example_message,hint");
        groups.ToString().ShouldContain("deid.free-text-phi,error,,,1,1,a.dcm,");
    }

    [Fact]
    public void Verifying_clean_and_leaking_files_gives_a_report_that_fails_only_the_leak()
    {
        var verifier = new FileVerifier(Verification.DefaultProfile);
        var clean = CleanDatasets.Cr().ToFile("clean.dcm");
        var leaking = CleanDatasets.Cr().With(0x00100010, "PN", "SMITH^JOHN").ToFile("leak.dcm");

        var report = new VerificationReportBuilder()
            .AddFile(clean.SourcePath, verifier.Verify(clean))
            .AddFile(leaking.SourcePath, verifier.Verify(leaking))
            .Build();

        (report.Passed, report.Failed).ShouldBe((1, 1));
        report.Findings.ShouldHaveSingleItem().File.ShouldBe("leak.dcm");
    }
}
