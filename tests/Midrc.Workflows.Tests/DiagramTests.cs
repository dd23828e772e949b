using Midrc.Workflows.Diagrams;

namespace Midrc.Workflows.Tests;

public sealed class DiagramTests
{
    public static TheoryData<string> Definitions => ["site-onboarding", "data-solicitation", "submission", "release"];

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Mermaid_DrawsEveryStateAndTransition(string id)
    {
        var definition = WorkflowFolder.ShippedDefinition(id);

        var mermaid = WorkflowDiagrams.Mermaid(definition);

        mermaid.ShouldStartWith("stateDiagram-v2");
        foreach (var state in definition.AllStates())
        {
            mermaid.ShouldContain($"state \"{state.Title}\" as {state.Id.Replace('-', '_')}");
        }

        foreach (var transition in definition.Transitions)
        {
            mermaid.ShouldContain($" : {transition.Label}");
        }

        mermaid.ShouldNotContain("class ");
    }

    [Fact]
    public void Mermaid_NestsSubStatesAndMarksTheCurrentState()
    {
        var definition = WorkflowFolder.ShippedDefinition("site-onboarding");

        var mermaid = WorkflowDiagrams.Render(definition, DiagramFormat.Mermaid, "test-transfer-needs-fixes");

        mermaid.ShouldContain("\n    state onboarding {\n        [*] --> invited\n");
        mermaid.ShouldContain("\n        state test_transfer {\n            [*] --> checking_test_transfer\n");
        mermaid.ShouldContain("classDef current");
        mermaid.ShouldContain("class test_transfer_needs_fixes current");
    }

    [Theory]
    [MemberData(nameof(Definitions))]
    public void Dot_DrawsEveryStateAsANodeOrCluster_AndFillsTheCurrentOne(string id)
    {
        var definition = WorkflowFolder.ShippedDefinition(id);
        var current = definition.AllStates().Last(s => s.Children.Count == 0).Id;

        var dot = WorkflowDiagrams.Render(definition, DiagramFormat.Dot, current);

        dot.ShouldStartWith($"digraph \"{id}\" {{");
        foreach (var state in definition.AllStates())
        {
            dot.ShouldContain(state.Children.Count == 0 ? $"\"{state.Id}\" [label=\"{state.Title}\"" : $"subgraph \"cluster_{state.Id}\"");
        }

        dot.ShouldContain($"\"{current}\" [label=\"{definition.FindState(current)!.Title}\"");
        dot.Split('\n').Single(line => line.Contains("fillcolor", StringComparison.Ordinal)).ShouldContain($"\"{current}\"");
    }

    [Fact]
    public void Dot_ClipsEdgesOfCompositeStatesAtTheClusterBorder()
    {
        var dot = WorkflowDiagrams.Dot(WorkflowFolder.ShippedDefinition("submission"));

        dot.ShouldContain("\"awaiting-fixes\" -> \"resubmitted\" [label=\"Resubmit corrected files\", ltail=\"cluster_fix-loop\"];");
    }
}
