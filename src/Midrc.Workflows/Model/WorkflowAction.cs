using Midrc.Workflows.Timing;

namespace Midrc.Workflows.Model;

/// <summary>Something the host does on entering or leaving a state or on taking a transition.</summary>
public abstract class WorkflowAction : WorkflowElement
{
    /// <summary>How the action reads in a plan or a log.</summary>
    public abstract string Describe();
}

/// <summary>Send an email template to everyone holding a role for the subject.</summary>
public sealed class SendEmail : WorkflowAction
{
    /// <summary>Template folder name under <c>workflows/templates</c>.</summary>
    public required string Template { get; init; }

    /// <summary>Role receiving the email.</summary>
    public required string To { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"email {Template} to {To}";
}

/// <summary>Enqueue a named background job.</summary>
public sealed class EnqueueJob : WorkflowAction
{
    /// <summary>Job name from the catalogue.</summary>
    public required string Job { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"enqueue {Job}";
}

/// <summary>Start an instance of another workflow for the same subject.</summary>
public sealed class StartWorkflow : WorkflowAction
{
    /// <summary>Id of the child definition.</summary>
    public required string Definition { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"start {Definition}";
}

/// <summary>Set a named deadline a duration from now, or from a date held in the instance's data.</summary>
public sealed class SetDeadline : WorkflowAction
{
    /// <summary>Deadline name, e.g. <c>data-due</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Duration from now.</summary>
    public IsoDuration? After { get; init; }

    /// <summary>Name of a data field holding the date (ISO 8601) when the deadline comes from the instance, e.g. the request's due date.</summary>
    public string? AtField { get; init; }

    /// <summary>Count days Monday to Friday only.</summary>
    public bool BusinessDays { get; init; }

    /// <inheritdoc />
    public override string Describe() => AtField is null ? $"set deadline {Name} after {After?.Text}{(BusinessDays ? " business days" : "")}" : $"set deadline {Name} at {AtField}";
}

/// <summary>Clear a named deadline.</summary>
public sealed class ClearDeadline : WorkflowAction
{
    /// <summary>Deadline name.</summary>
    public required string Name { get; init; }

    /// <inheritdoc />
    public override string Describe() => $"clear deadline {Name}";
}
