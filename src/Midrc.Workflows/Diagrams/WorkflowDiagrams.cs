using System.Text;
using Midrc.Workflows.Model;

namespace Midrc.Workflows.Diagrams;

/// <summary>Diagram formats.</summary>
public enum DiagramFormat
{
    /// <summary>Mermaid <c>stateDiagram-v2</c>.</summary>
    Mermaid,

    /// <summary>Graphviz DOT.</summary>
    Dot,
}

/// <summary>Draws a definition with composite states nested, and an instance's current state (and its enclosing states) highlighted.</summary>
public static class WorkflowDiagrams
{
    /// <summary>Draws in the given format.</summary>
    public static string Render(WorkflowDefinition definition, DiagramFormat format, string? currentState = null) =>
        format == DiagramFormat.Dot ? Dot(definition, currentState) : Mermaid(definition, currentState);

    /// <summary>Mermaid <c>stateDiagram-v2</c>; the current state gets the <c>current</c> class.</summary>
    public static string Mermaid(WorkflowDefinition definition, string? currentState = null)
    {
        var text = new StringBuilder();
        text.AppendLine("stateDiagram-v2");
        text.AppendLine($"    %% {definition.Title} (version {definition.Version})");
        text.AppendLine($"    [*] --> {MermaidId(definition.Initial)}");
        foreach (var state in definition.States)
        {
            MermaidState(text, state, "    ");
        }

        foreach (var transition in definition.Transitions)
        {
            foreach (var from in transition.From)
            {
                text.AppendLine($"    {MermaidId(from)} --> {MermaidId(transition.To ?? from)} : {transition.Label}");
            }
        }

        foreach (var state in definition.AllStates().Where(s => s.Final))
        {
            text.AppendLine($"    {MermaidId(state.Id)} --> [*]");
        }

        if (currentState is not null)
        {
            text.AppendLine("    classDef current fill:#fde68a,stroke:#b45309,stroke-width:3px");
            text.AppendLine($"    class {MermaidId(currentState)} current");
        }

        return text.ToString();
    }

    /// <summary>Graphviz DOT; composite states are clusters and the current state is filled.</summary>
    public static string Dot(WorkflowDefinition definition, string? currentState = null)
    {
        var current = currentState is null ? [] : definition.SelfAndAncestors(currentState).Select(s => s.Id).ToHashSet();
        var text = new StringBuilder();
        text.AppendLine($"digraph \"{definition.Id}\" {{");
        text.AppendLine("  rankdir=LR; compound=true;");
        text.AppendLine($"  label=\"{Escape(definition.Title)} (version {definition.Version})\";");
        text.AppendLine("  node [shape=box, style=rounded];");
        text.AppendLine("  \"__start\" [shape=point];");
        foreach (var state in definition.States)
        {
            DotState(text, state, current, currentState, "  ");
        }

        text.AppendLine($"  \"__start\" -> \"{Anchor(definition, definition.Initial)}\" [{string.Join(", ", ClusterClip(definition, "lhead", definition.Initial))}];");
        foreach (var transition in definition.Transitions)
        {
            foreach (var from in transition.From)
            {
                var to = transition.To ?? from;
                var attributes = new List<string> { $"label=\"{Escape(transition.Label)}\"" };
                if (transition.IsInternal)
                {
                    // A loop on a cluster cannot be clipped at its own border; it stays on the anchor node.
                    attributes.Add("style=dashed");
                }
                else
                {
                    attributes.AddRange(ClusterClip(definition, "ltail", from));
                    attributes.AddRange(ClusterClip(definition, "lhead", to));
                }
                text.AppendLine($"  \"{Anchor(definition, from)}\" -> \"{Anchor(definition, to)}\" [{string.Join(", ", attributes)}];");
            }
        }

        text.AppendLine("}");
        return text.ToString();
    }

    private static void MermaidState(StringBuilder text, WorkflowState state, string indent)
    {
        text.AppendLine($"{indent}state \"{state.Title}\" as {MermaidId(state.Id)}");
        if (state.Children.Count == 0)
        {
            return;
        }

        text.AppendLine($"{indent}state {MermaidId(state.Id)} {{");
        text.AppendLine($"{indent}    [*] --> {MermaidId(state.Initial ?? state.Children[0].Id)}");
        foreach (var child in state.Children)
        {
            MermaidState(text, child, indent + "    ");
        }

        text.AppendLine($"{indent}}}");
    }

    private static void DotState(StringBuilder text, WorkflowState state, HashSet<string> current, string? innermost, string indent)
    {
        if (state.Children.Count == 0)
        {
            var style = state.Id == innermost ? ", style=\"rounded,filled\", fillcolor=\"#fde68a\", penwidth=3" : "";
            var shape = state.Final ? ", peripheries=2" : "";
            text.AppendLine($"{indent}\"{state.Id}\" [label=\"{Escape(state.Title)}\"{shape}{style}];");
            return;
        }

        text.AppendLine($"{indent}subgraph \"cluster_{state.Id}\" {{");
        text.AppendLine($"{indent}  label=\"{Escape(state.Title)}\";{(current.Contains(state.Id) ? " style=\"rounded,bold\"; color=\"#b45309\";" : " style=rounded;")}");
        foreach (var child in state.Children)
        {
            DotState(text, child, current, innermost, indent + "  ");
        }

        text.AppendLine($"{indent}}}");
    }

    // Edges to or from a composite state attach to its initial leaf and are clipped at the cluster border.
    private static string Anchor(WorkflowDefinition definition, string state) => definition.SelfAndInitialDescendants(state).Last().Id;

    private static IEnumerable<string> ClusterClip(WorkflowDefinition definition, string attribute, string state) =>
        definition.FindState(state) is { Children.Count: > 0 } ? [$"{attribute}=\"cluster_{state}\""] : [];

    private static string MermaidId(string id) => id.Replace('-', '_');

    private static string Escape(string text) => text.Replace("\"", "\\\"", StringComparison.Ordinal);
}
