using Fluid;
using Midrc.Workflows.Model;
using Midrc.Workflows.Templates;

namespace Midrc.Workflows.Tests;

public sealed class TemplateTests
{
    private static IReadOnlyList<WorkflowProblem> Check(string liquid)
    {
        var problems = new List<WorkflowProblem>();
        var part = EmailTemplates.ParsePart(liquid, "t.liquid", problems);
        return part is null ? problems : EmailTemplates.UnknownFields(part).ToList();
    }

    [Fact]
    public void UnknownFields_AcceptsDocumentedFieldsLoopItemsAndListSizes()
    {
        Check("{{ site.name }} {{ counts.errors }} {% if findings.size > 0 %}{% for f in findings %}{{ f.hint }}{% endfor %}{% endif %} {% assign n = 3 %}{{ n }}")
            .ShouldBeEmpty();
    }

    [Fact]
    public void UnknownFields_ReportsEachUnknownFieldAtItsLineAndColumn()
    {
        var problems = Check("Dear {{ person.name }},\n{{ site.adress }}\n{% for f in findings %}{{ f.colour }}{% endfor %}");

        problems.Select(p => $"{p.Location}: {p.Message[..p.Message.IndexOf(';', StringComparison.Ordinal)]}").ShouldBe(
        [
            "t.liquid:2:4: Unknown template field 'site.adress'",
            "t.liquid:3:27: Unknown template field 'f.colour'",
        ]);
    }

    [Fact]
    public void ParsePart_ReportsLiquidSyntaxErrors()
    {
        var problem = Check("Hello\n  {{ site. }}").ShouldHaveSingleItem();

        problem.ToString().ShouldBe("t.liquid:2:10: Liquid syntax error: End of tag '}}' was expected.");
    }

    [Fact]
    public void Every_shipped_template_renders_a_complete_email()
    {
        var library = WorkflowFolder.LoadShipped();
        var options = new TemplateOptions();
        var model = new Dictionary<string, object>
        {
            ["program"] = new Dictionary<string, object> { ["name"] = "MIDRC" },
            ["person"] = new Dictionary<string, object> { ["name"] = "Dana Ruiz" },
            ["site"] = new Dictionary<string, object> { ["name"] = "Riverside University Hospital", ["code"] = "RUH" },
            ["counts"] = new Dictionary<string, object> { ["errors"] = 2, ["warnings"] = 1 },
            ["findings"] = new[] { new Dictionary<string, object> { ["severity"] = "error", ["message"] = "Patient ID is missing", ["where"] = "series 3", ["hint"] = "Set the pseudonym" } },
            ["rules"] = new[] { new Dictionary<string, object> { ["rule"] = "qa.required-attribute-missing", ["severity"] = "error", ["count"] = 2, ["message"] = "Patient ID is missing.", ["hint"] = "Set the pseudonym." } },
            ["links"] = new Dictionary<string, object> { ["action"] = "https://orchestrator.test/act", ["preferences"] = "https://orchestrator.test/me" },
        };

        library.Templates.Count.ShouldBe(19);
        foreach (var part in library.Templates.SelectMany(t => t.Parts))
        {
            var text = part.Parsed.Render(new TemplateContext(model, options));

            text.ShouldNotBeNullOrWhiteSpace(part.File);
            if (!part.File.EndsWith("subject.liquid", StringComparison.Ordinal))
            {
                text.ShouldContain("Dear Dana Ruiz,", customMessage: part.File);
                text.ShouldContain("https://orchestrator.test/me", customMessage: part.File);
            }
        }

        var fixes = library.FindTemplate("fixes-needed").ShouldNotBeNull();
        var body = fixes.TextBody.Parsed.Render(new TemplateContext(model, options));
        body.ShouldContain("- 2 x error qa.required-attribute-missing: Patient ID is missing. How to fix: Set the pseudonym.");
        body.ShouldContain("- error: Patient ID is missing (series 3)");
        body.ShouldContain("https://orchestrator.test/act");
    }
}
