namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// What an email is about, in raw values. <see cref="EmailRenderer"/> turns it into the template fields of
/// <c>Midrc.Workflows.Templates.TemplateFields</c>: dates in the recipient's time zone, links made absolute.
/// </summary>
public sealed record EmailModel
{
    public string ProgramName { get; init; } = "MIDRC";
    public EmailSite? Site { get; init; }
    public EmailWorkflow? Workflow { get; init; }
    public EmailRequest? Request { get; init; }
    public EmailSubmission? Submission { get; init; }
    public EmailRelease? Release { get; init; }

    /// <summary>The deadline that applies; shown in the recipient's time zone.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>Free text given by the person who acted.</summary>
    public string? Reason { get; init; }

    public EmailCounts Counts { get; init; } = new();
    public IReadOnlyList<EmailFinding> Findings { get; init; } = [];

    /// <summary>Open findings counted by rule.</summary>
    public IReadOnlyList<EmailRuleCount> Rules { get; init; } = [];

    /// <summary>Path of the page where the recipient acts, e.g. <c>/submissions/0193…</c>; made absolute with <c>Midrc:PublicUrl</c>.</summary>
    public string ActionPath { get; init; } = "/";

    /// <summary>The day's held emails, for the daily digest.</summary>
    public IReadOnlyList<DigestEntry> Messages { get; init; } = [];
}

public sealed record EmailSite(string Name, string Code);

public sealed record EmailWorkflow(string Title, string State, DateTimeOffset Since);

public sealed record EmailRequest(string Title, string Modalities, string Criteria, int ExamCount);

public sealed record EmailSubmission(string Id, DateTimeOffset Received);

public sealed record EmailRelease(string Name, string? Reason = null);

/// <summary>Counts shown in an email; a null count is left out.</summary>
public sealed record EmailCounts
{
    public int? Files { get; init; }
    public int? Exams { get; init; }
    public int? Sites { get; init; }
    public int? Requested { get; init; }
    public int? Accepted { get; init; }
    public int? Errors { get; init; }
    public int? Warnings { get; init; }
    public int? Quarantined { get; init; }
}

public sealed record EmailFinding(string Severity, string Message, string Where, string Hint);

public sealed record EmailRuleCount(string Rule, string Severity, int Count, string Message, string Hint);

/// <summary>One held email in a daily digest.</summary>
public sealed record DigestEntry(string Subject, string Text, DateTimeOffset At);

/// <summary>An email ready for the outbox.</summary>
public sealed record RenderedEmail(string Subject, string TextBody, string HtmlBody);
