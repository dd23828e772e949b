using Midrc.Workflows.Loading;
using Midrc.Workflows.Model;

namespace Midrc.Workflows.Tests;

public sealed class LoaderTests
{
    [Fact]
    public void LoadText_ReportsYamlSyntaxErrorAtItsPosition_WhenAMappingValueIsMisplaced()
    {
        var result = WorkflowLoader.LoadText("id: x\ntitle: On hold: really\n", "x.yaml");

        result.Definition.ShouldBeNull();
        var problem = result.Problems.ShouldHaveSingleItem();
        problem.Location.ShouldBe(new SourceLocation("x.yaml", 2, 15));
        problem.Message.ShouldStartWith("YAML syntax error");
    }

    [Theory]
    [InlineData("    title: On hold\n", "    title: On hold\n    timers: [{ after: P1D, fire: nudge ]\n")]
    [InlineData("    title: Open\n", "    title: Open\n    timers: [{ after: P1D, fire: nudge ]\n")]
    public void LoadText_ReportsTheBrokenLine_WhenAFlowMappingIsNotClosed(string original, string broken)
    {
        var text = File.ReadAllText(Path.Combine(WorkflowFolder.Shipped, "release.yaml")).Replace(original, broken, StringComparison.Ordinal);
        var brokenLine = text[..text.IndexOf("nudge", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var result = WorkflowLoader.LoadText(text, "release.yaml");

        var problem = result.Problems.ShouldHaveSingleItem();
        problem.Message.ShouldStartWith("YAML syntax error");
        problem.Location.Line.ShouldBeInRange(brokenLine, brokenLine + 1);
    }

    [Fact]
    public void LoadText_ReportsUnknownKeysAndActions_WithTheirPositions()
    {
        const string yaml = """
            id: x
            version: 1
            title: X
            subject: site
            initial: a
            states:
              - id: a
                tmers: []
                on-enter:
                  - sms: { to: system }
            transitions: []
            """;

        var result = WorkflowLoader.LoadText(yaml, "x.yaml");

        result.Problems.Select(p => p.ToString()).ShouldBe(
        [
            "x.yaml:8:5: Unknown key 'tmers' in a state; expected one of: id, title, initial, final, states, on-enter, on-exit, timers.",
            "x.yaml:10:9: Unknown action 'sms'; expected one of: email, enqueue, start, deadline.",
        ]);
    }

    [Fact]
    public void LoadText_ReadsNestedStatesTransitionsAndTimers()
    {
        var definition = WorkflowFolder.ShippedDefinition("site-onboarding");

        var needsFixes = definition.FindState("test-transfer-needs-fixes").ShouldNotBeNull();
        needsFixes.Parent.ShouldBe("test-transfer");
        definition.SelfAndAncestors(needsFixes.Id).Select(s => s.Id).ShouldBe(["test-transfer-needs-fixes", "test-transfer", "onboarding"]);
        needsFixes.Timers.Select(t => (t.After!.Text, t.Fire)).ShouldBe([("P7D", "remind-site"), ("P14D", "escalate")]);
        definition.Transitions.First(t => t.Trigger == "remind-site").IsInternal.ShouldBeTrue();
    }

    [Fact]
    public void LoadText_ReportsMissingRequiredFields_AtTheElement()
    {
        var result = WorkflowLoader.LoadText("id: x\nversion: 1\ntitle: X\nsubject: site\ninitial: a\nstates:\n  - id: a\ntransitions:\n  - trigger: go\n    from: a\n", "x.yaml");

        result.Problems.Select(p => p.ToString()).ShouldBe(
        [
            "x.yaml:9:5: transition 'go' needs 'allowed'.",
            "x.yaml:9:5: transition 'go' needs 'label'.",
            "x.yaml:9:5: transition 'go' needs 'journal'.",
        ]);
    }

    [Fact]
    public void LoadText_ReportsADuplicateKey_AtTheSecondOccurrence()
    {
        var result = WorkflowLoader.LoadText("id: a\nversion: 1\nid: b\n", "x.yaml");

        var problem = result.Problems.ShouldHaveSingleItem();
        problem.Location.ShouldBe(new SourceLocation("x.yaml", 3, 1));
        problem.Message.ShouldContain("Duplicate key");
    }
}
