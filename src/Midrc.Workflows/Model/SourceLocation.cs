namespace Midrc.Workflows.Model;

/// <summary>A place in a definition or template file: 1-based line and column.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>A problem found while loading or validating workflows, written for the person editing the file.</summary>
public sealed record WorkflowProblem(SourceLocation Location, string Message)
{
    /// <summary>The compiler-style line editors and terminals understand: <c>file:line:column: message</c>.</summary>
    public override string ToString() => $"{Location}: {Message}";
}
