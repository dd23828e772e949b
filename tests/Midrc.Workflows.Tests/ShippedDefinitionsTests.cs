using System.Text.Json;
using Midrc.Workflows.Loading;
using Midrc.Workflows.Model;
using Midrc.Workflows.Validation;

namespace Midrc.Workflows.Tests;

public sealed class ShippedDefinitionsTests
{
    [Fact]
    public void Every_shipped_definition_and_template_validates()
    {
        var library = WorkflowFolder.LoadShipped();

        var problems = library.Validate(WorkflowCatalog.Default);

        problems.ShouldBeEmpty(string.Join(Environment.NewLine, problems));
        library.Definitions.Select(d => d.Id).Order().ShouldBe(["data-solicitation", "release", "site-onboarding", "submission"]);
    }

    [Fact]
    public void Every_shipped_definition_names_the_schema_for_editors()
    {
        foreach (var file in Directory.GetFiles(WorkflowFolder.Shipped, "*.yaml"))
        {
            File.ReadLines(file).First().ShouldBe("# yaml-language-server: $schema=./workflow.schema.json", file);
        }
    }

    [Fact]
    public void Schema_lists_exactly_the_catalogue_jobs_and_guards()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, "workflow.schema.json")));
        var definitions = schema.RootElement.GetProperty("definitions");

        var guards = definitions.GetProperty("transition").GetProperty("properties").GetProperty("guard").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        var jobs = definitions.GetProperty("action").GetProperty("properties").GetProperty("enqueue").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        var roles = definitions.GetProperty("role").GetProperty("enum").EnumerateArray().Select(e => e.GetString());

        guards.Order().ShouldBe(WorkflowCatalog.Default.Guards.Keys.Order());
        jobs.Order().ShouldBe(WorkflowCatalog.Default.Jobs.Keys.Order());
        roles.Order().ShouldBe(WorkflowRoles.All.Order());
    }

    [Fact]
    public void The_test_definition_with_a_schedule_validates_next_to_the_shipped_ones()
    {
        using var folder = WorkflowFolder.CopyOfShipped("scheduled-release");

        var problems = folder.Validate();

        problems.ShouldBeEmpty(string.Join(Environment.NewLine, problems));
        WorkflowLibrary.LoadFolder(folder.Path).Find("scheduled-release").ShouldNotBeNull().Schedules.ShouldHaveSingleItem().Fire.ShouldBe("freeze");
    }

    // The cron and time-zone cases break the tests' scheduled definition: no shipped definition has a schedule.
    public static TheoryData<string, string, string, string, string> BrokenCopies => new()
    {
        { "site-onboarding.yaml", "    to: dua-signed\n", "    to: dua-signd\n", "dua-signd", "Unknown state 'dua-signd'" },
        { "site-onboarding.yaml", "template: site-invitation,", "template: site-invitaton,", "site-invitaton", "Unknown email template 'site-invitaton'" },
        { "data-solicitation.yaml", "after: P10D,", "after: P10X,", "P10X", "'P10X' is not an ISO 8601 duration" },
        { "data-solicitation.yaml", "    allowed: [site-coordinator]\n    label: Acknowledge request", "    allowed: [site-coordinater]\n    label: Acknowledge request", "site-coordinater", "Unknown role 'site-coordinater'" },
        { "submission.yaml", "guard: deid-passed", "guard: deid-pased", "deid-pased", "Unknown guard 'deid-pased'" },
        { "submission.yaml", "      - enqueue: verify-deidentification", "      - enqueue: verify-deid", "verify-deid", "Unknown job 'verify-deid'" },
        { "scheduled-release.yaml", "cron: \"0 14 * * TUE#3\"", "cron: \"0 25 * * TUE#3\"", "\"0 25", "not a valid cron expression" },
        { "scheduled-release.yaml", "time-zone: America/Chicago", "time-zone: America/Chicgo", "America/Chicgo", "Unknown time zone 'America/Chicgo'" },
        { "release.yaml", "    title: On hold\n", "    title: On hold: really\n", ": really", "YAML syntax error" },
    };

    [Theory]
    [MemberData(nameof(BrokenCopies))]
    public void A_broken_copy_fails_at_the_line_and_column_of_the_mistake(string file, string original, string broken, string marker, string message)
    {
        using var folder = WorkflowFolder.CopyOfShipped("scheduled-release");
        var expected = folder.Replace(file, original, broken, marker);

        var problems = folder.Validate();

        problems.ShouldContain(p => p.Message.Contains(message) && p.Location == expected, string.Join(Environment.NewLine, problems.Append(new WorkflowProblem(expected, "(expected location)"))));
    }

    [Fact]
    public void A_template_using_an_unknown_field_fails_at_that_field()
    {
        using var folder = WorkflowFolder.CopyOfShipped();
        var expected = folder.Replace("templates/data-request/body.txt.liquid", "{{ request.exam_count }}", "{{ request.exams_wanted }}", "request.exams_wanted");

        var problems = folder.Validate();

        var problem = problems.ShouldHaveSingleItem();
        problem.Location.ShouldBe(expected);
        problem.Message.ShouldStartWith("Unknown template field 'request.exams_wanted'");
    }
}
