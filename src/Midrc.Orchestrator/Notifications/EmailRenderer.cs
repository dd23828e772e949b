using System.Globalization;
using System.Text.Encodings.Web;
using Fluid;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Hosting;
using Midrc.Workflows.Templates;

namespace Midrc.Orchestrator.Notifications;

/// <summary>
/// Renders an email template for one recipient: the subject and the text body as plain text, the HTML body
/// with every value HTML-encoded, dates in the recipient's time zone and links starting with <c>Midrc:PublicUrl</c>.
/// </summary>
public sealed class EmailRenderer(IOptions<MidrcOptions> midrc, TimeProvider clock)
{
    private static readonly TemplateOptions Options = new();

    /// <summary>The template rendered for <paramref name="recipient"/>.</summary>
    public RenderedEmail Render(EmailTemplate template, Person recipient, EmailModel model)
    {
        var zone = TimeZoneOf(recipient);
        var context = new TemplateContext(Options);
        foreach (var (name, value) in Fields(recipient, model, zone))
        {
            context.SetValue(name, value);
        }

        var subject = EmailMessages.OneLine(template.Subject.Parsed.Render(context, NullEncoder.Default));
        var text = template.TextBody.Parsed.Render(context, NullEncoder.Default);
        var html = template.HtmlBody.Parsed.Render(context, HtmlEncoder.Default);
        return new RenderedEmail(subject, text, html);
    }

    /// <summary>The person's time zone; UTC when it is empty or unknown on this machine.</summary>
    public static TimeZoneInfo TimeZoneOf(Person person) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(person.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>A moment as the recipient reads it, e.g. "Friday 4 December 2026, 17:00 (America/Chicago)".</summary>
    public static string FormatForRecipient(DateTimeOffset moment, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(moment, zone).ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + $" ({zone.Id})";

    /// <summary>An absolute link to a page of the orchestrator.</summary>
    public Uri Link(string path) => new(new Uri(midrc.Value.PublicUrl.TrimEnd('/') + "/"), path.TrimStart('/'));

    private Dictionary<string, object?> Fields(Person recipient, EmailModel model, TimeZoneInfo zone)
    {
        string Format(DateTimeOffset moment) => FormatForRecipient(moment, zone);
        var now = clock.GetUtcNow();
        return new()
        {
            ["program"] = Object(("name", model.ProgramName)),
            ["person"] = Object(("name", recipient.DisplayName)),
            ["site"] = model.Site is { } site ? Object(("name", site.Name), ("code", site.Code)) : null,
            ["workflow"] = model.Workflow is { } w
                ? Object(("title", w.Title), ("state", w.State), ("since", Format(w.Since)), ("days_waiting", (int)Math.Max(0, (now - w.Since).TotalDays)))
                : null,
            ["request"] = model.Request is { } r
                ? Object(("title", r.Title), ("modalities", r.Modalities), ("criteria", r.Criteria), ("exam_count", r.ExamCount))
                : null,
            ["submission"] = model.Submission is { } s ? Object(("id", s.Id), ("received", Format(s.Received))) : null,
            ["release"] = model.Release is { } rel ? Object(("name", rel.Name), ("reason", rel.Reason)) : null,
            ["deadline"] = model.Deadline is { } deadline ? Format(deadline) : null,
            ["reason"] = model.Reason,
            ["counts"] = Object(
                ("files", model.Counts.Files), ("exams", model.Counts.Exams), ("sites", model.Counts.Sites),
                ("requested", model.Counts.Requested), ("accepted", model.Counts.Accepted), ("errors", model.Counts.Errors),
                ("warnings", model.Counts.Warnings), ("quarantined", model.Counts.Quarantined)),
            ["findings"] = model.Findings
                .Select(f => Object(("severity", f.Severity), ("message", f.Message), ("where", f.Where), ("hint", f.Hint)))
                .ToList(),
            ["rules"] = model.Rules
                .Select(r => Object(("rule", r.Rule), ("severity", r.Severity), ("count", r.Count), ("message", r.Message), ("hint", r.Hint)))
                .ToList(),
            ["messages"] = model.Messages
                .Select(m => Object(("subject", m.Subject), ("text", m.Text), ("at", Format(m.At))))
                .ToList(),
            ["links"] = Object(
                ("action", Link(model.ActionPath).AbsoluteUri),
                ("site", model.Site is { } linked ? Link($"/sites/{Uri.EscapeDataString(linked.Code)}").AbsoluteUri : null),
                ("dashboard", Link("/").AbsoluteUri),
                ("preferences", Link("/me/notifications").AbsoluteUri)),
        };
    }

    private static Dictionary<string, object?> Object(params (string Name, object? Value)[] fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Name, f => f.Value);
}
