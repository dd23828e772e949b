using System.Text;
using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Tests.Clinical;

public sealed class ClinicalTemplatesTests
{
    public static TheoryData<ClinicalNode> Nodes => new(Enum.GetValues<ClinicalNode>());

    [Theory]
    [MemberData(nameof(Nodes))]
    public async Task ExampleFile_RoundTripsThroughTheReader_WithItsExampleValues(ClinicalNode node)
    {
        var result = await ClinicalCsv.ReadAsync(ClinicalTemplates.File(node, withExample: true), node);

        result.Findings.ShouldBeEmpty();
        var row = result.Rows.ShouldHaveSingleItem();
        row.Source.Row.ShouldBe(2);
        foreach (var column in ClinicalDictionary.Get(node).Columns)
        {
            row.Text(column.Name).ShouldBe(column.Example);
        }
    }

    [Theory]
    [MemberData(nameof(Nodes))]
    public async Task HeaderOnlyTemplate_ReadsAsNoRows_WithOnlyTheNoRowsWarning(ClinicalNode node)
    {
        var bytes = ClinicalTemplates.File(node);

        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });
        var result = await ClinicalCsv.ReadAsync(bytes, node);
        result.Rows.ShouldBeEmpty();
        result.Findings.ShouldHaveSingleItem().Rule.ShouldBe(ClinicalRules.NoRows);
        result.Findings[0].Severity.ShouldBe(Severity.Warning);
    }

    [Fact]
    public void Header_NamesEveryColumnOfTheNodeInDictionaryOrder()
    {
        ClinicalTemplates.Header(ClinicalNode.Procedure)
            .ShouldBe("submitter_id,cases.submitter_id,procedure_type,days_to_procedure_start,days_to_procedure_end\r\n");
        ClinicalTemplates.FileName(ClinicalNode.ImagingStudy).ShouldBe("imaging_study.csv");
    }

    [Fact]
    public void Markdown_DocumentsEveryNodeColumnAndAllowedValue()
    {
        var markdown = ClinicalTemplates.Markdown();

        foreach (var node in ClinicalDictionary.Nodes)
        {
            markdown.ShouldContain($"## {node.Name} (`{node.Name}.csv`)");
            foreach (var column in node.Columns)
            {
                markdown.ShouldContain($"| `{column.Name}` | {(column.Required ? "yes" : "no")} |");
                foreach (var allowed in column.AllowedValues)
                {
                    markdown.ShouldContain(allowed);
                }
            }
        }
    }

    [Fact]
    public async Task ExampleRowsOfAllNodes_FormOneCaseThatPassesQaAndTheImageCrossCheck()
    {
        var submission = await ClinicalCsv.ExampleSubmissionAsync();
        var study = submission.ImagingStudies.ShouldHaveSingleItem();
        var received = new ReceivedStudy { StudyInstanceUid = study.StudyUid!, PatientIds = [study.CaseId], File = "study/1.dcm" };

        ClinicalQa.Check(submission).ShouldBeEmpty();
        new ClinicalImageCrossCheck(new ImagingStayWindowOptions { Required = true }).Check(submission, [received]).ShouldBeEmpty();
    }

    [Fact]
    public void Dictionary_LooksUpEveryNodeByItsEnumValue_AndNamesEachColumnOnce()
    {
        foreach (var node in Enum.GetValues<ClinicalNode>())
        {
            var definition = ClinicalDictionary.Get(node);
            definition.Node.ShouldBe(node);
            definition.Columns.Select(c => c.Name).ShouldBeUnique();
            definition.Columns[0].Name.ShouldBe(ClinicalColumnNames.SubmitterId);
            definition.Columns.Where(c => c.Kind == ClinicalValueKind.Code).ShouldAllBe(c => c.AllowedValues.Contains(c.Example));
        }
        Encoding.UTF8.GetString(ClinicalTemplates.File(ClinicalNode.Case, withExample: true)).ShouldContain("SITE01-0001");
    }
}
