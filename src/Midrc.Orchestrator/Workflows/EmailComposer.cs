using System.Text.Encodings.Web;
using Fluid;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Submissions;
using Midrc.Workflows.Templates;

namespace Midrc.Orchestrator.Workflows;

/// <summary>Who an email goes to, and the reason the person who acted gave (if any).</summary>
public sealed record EmailRecipient(Person Person, string? Reason);

/// <summary>Renders a workflow email template for one recipient. The notifications feature sends what this composes.</summary>
public interface IEmailComposer
{
    Task<RenderedEmail> ComposeAsync(string template, string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken);
}

/// <summary>
/// Renders <c>workflows/templates/&lt;name&gt;/</c> with Fluid, filling the fields of <see cref="TemplateFields"/> the
/// database knows today: program, person, site, workflow, deadline, reason, counts and links.
/// </summary>
public sealed class FluidEmailComposer(MidrcDbContext db, WorkflowDefinitions definitions, IOptions<MidrcOptions> options, TimeProvider clock) : IEmailComposer
{
    /// <summary>The findings an email lists; the report page has the rest.</summary>
    public const int MaxFindingsInEmail = 10;

    private static readonly TemplateOptions Liquid = new();

    public async Task<RenderedEmail> ComposeAsync(string template, string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken)
    {
        var parts = definitions.Library.FindTemplate(template)
            ?? throw new InvalidOperationException($"Email template '{template}' is not in {definitions.Folder}/templates.");
        var model = await ModelAsync(role, instance, recipient, cancellationToken);
        return new RenderedEmail(
            (await parts.Subject.Parsed.RenderAsync(new TemplateContext(model, Liquid))).Trim(),
            await parts.TextBody.Parsed.RenderAsync(new TemplateContext(model, Liquid)),
            await parts.HtmlBody.Parsed.RenderAsync(new TemplateContext(model, Liquid), HtmlEncoder.Default));
    }

    private async Task<Dictionary<string, object>> ModelAsync(string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken)
    {
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var site = instance.SiteId is { } siteId
            ? await db.Sites.AsNoTracking().Include(s => s.Program).SingleOrDefaultAsync(s => s.Id == siteId, cancellationToken)
            : null;
        var program = site?.Program?.Name ?? await db.Programs.AsNoTracking().OrderBy(p => p.CreatedAt).Select(p => p.Name).FirstOrDefaultAsync(cancellationToken) ?? "MIDRC";
        var zone = Midrc.Workflows.Timing.DueTimes.TryFindTimeZone(recipient.Person.TimeZone, out var personZone) ? personZone : TimeZoneInfo.Utc;
        string Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, zone).ToString("dddd d MMMM yyyy, HH:mm", System.Globalization.CultureInfo.InvariantCulture) + $" ({zone.Id})";
        var data = instance.Values();
        var baseUrl = options.Value.PublicUrl.TrimEnd('/');
        var model = new Dictionary<string, object>
        {
            ["program"] = new Dictionary<string, object> { ["name"] = program },
            ["person"] = new Dictionary<string, object> { ["name"] = recipient.Person.DisplayName },
            ["workflow"] = new Dictionary<string, object>
            {
                ["title"] = definition.Title,
                ["state"] = definition.FindState(instance.State)?.Title ?? instance.State,
                ["since"] = Local(instance.UpdatedAt),
                ["days_waiting"] = (int)(clock.GetUtcNow() - instance.UpdatedAt).TotalDays,
            },
            ["links"] = new Dictionary<string, object>
            {
                ["action"] = $"{baseUrl}/workflows/{instance.Id}",
                ["site"] = site is null ? baseUrl : $"{baseUrl}/sites/{site.Code}",
                ["dashboard"] = baseUrl,
                ["preferences"] = $"{baseUrl}/me/notifications",
            },
            ["role"] = role,
        };
        if (data.TryGetValue("open-errors", out var errors))
        {
            model["counts"] = new Dictionary<string, object> { ["errors"] = errors };
        }

        if (instance.SubjectType == "submission")
        {
            await AddSubmissionAsync(model, instance, baseUrl, Local, cancellationToken);
        }

        if (site is not null)
        {
            model["site"] = new Dictionary<string, object> { ["name"] = site.Name, ["code"] = site.Code };
        }

        if (instance.Deadlines().Values.Where(d => d >= clock.GetUtcNow()).Order().Select(d => (DateTimeOffset?)d).FirstOrDefault() is { } deadline)
        {
            model["deadline"] = Local(deadline);
        }

        if (!string.IsNullOrWhiteSpace(recipient.Reason))
        {
            model["reason"] = recipient.Reason;
        }

        return model;
    }

    /// <summary>
    /// A submission's emails lead to its findings report and say what to fix: open findings counted by rule, and a
    /// screenful of them (de-identification errors first, so a leak is named with the file and the attribute's path).
    /// </summary>
    private async Task AddSubmissionAsync(Dictionary<string, object> model, WorkflowInstance instance, string baseUrl, Func<DateTimeOffset, string> local, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == instance.SubjectId, cancellationToken);
        if (submission is null)
        {
            return;
        }
        var open = await db.Findings.AsNoTracking()
            .Where(f => f.SubmissionId == submission.Id && ProgramProgress.OpenStatuses.Contains(f.Status))
            .Select(f => new { f.Rule, f.Severity, f.File, f.Path, f.Message, f.Hint }).ToListAsync(cancellationToken);
        var instances = db.Instances.Where(i => i.SubmissionId == submission.Id);
        model["submission"] = new Dictionary<string, object> { ["id"] = submission.Id.ToString(), ["received"] = local(submission.CompletedAt ?? submission.StartedAt) };
        ((Dictionary<string, object>)model["links"])["action"] = $"{baseUrl}/submissions/{submission.Id}/report";
        model["counts"] = new Dictionary<string, object>
        {
            ["errors"] = open.Count(f => f.Severity == Severity.Error),
            ["warnings"] = open.Count(f => f.Severity == Severity.Warning),
            ["files"] = await instances.CountAsync(i => i.QuarantineState != QuarantineState.Superseded, cancellationToken),
            ["quarantined"] = await instances.CountAsync(i => i.QuarantineState == QuarantineState.Rejected, cancellationToken),
        };
        model["rules"] = open.GroupBy(f => f.Rule)
            .Select(g => new { Rule = g.Key, Severity = g.Max(f => f.Severity), Count = g.Count(), g.First().Message, g.First().Hint })
            .OrderByDescending(r => r.Severity).ThenByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal)
            .Select(r => new Dictionary<string, object> { ["rule"] = r.Rule, ["severity"] = VerificationReport.SeverityName(r.Severity), ["count"] = r.Count, ["message"] = r.Message, ["hint"] = r.Hint })
            .ToList();
        model["findings"] = open
            .OrderByDescending(f => f.Severity).ThenByDescending(f => DeidentificationVerdicts.IsDeidentification(f.Rule)).ThenBy(f => f.File, StringComparer.Ordinal)
            .Take(MaxFindingsInEmail)
            .Select(f => new Dictionary<string, object>
            {
                ["severity"] = VerificationReport.SeverityName(f.Severity),
                ["message"] = f.Message,
                ["where"] = f.Path.Length > 0 ? $"{f.File}, at {f.Path}" : f.File,
                ["hint"] = f.Hint,
            })
            .ToList();
    }
}
