using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Workflows;

/// <summary>Who an email goes to, and the reason the person who acted gave (if any).</summary>
public sealed record EmailRecipient(Person Person, string? Reason);

/// <summary>Renders a workflow email template for one recipient. The notifications feature sends what this composes.</summary>
public interface IEmailComposer
{
    Task<RenderedEmail> ComposeAsync(string template, string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken);
}

/// <summary>
/// Fills an <see cref="EmailModel"/> from what the database knows about a workflow instance (program, site, workflow,
/// the request, submission or release it is about, deadline, counts) and renders it with the one
/// <see cref="EmailRenderer"/> that sign-in links and digests use too. The action link leads to the page where the
/// recipient acts: the request or site on the site's page, a submission's report, the dashboard for a release.
/// </summary>
public sealed class WorkflowEmailComposer(MidrcDbContext db, WorkflowDefinitions definitions, EmailRenderer renderer, TimeProvider clock) : IEmailComposer
{
    /// <summary>The findings an email lists; the report page has the rest.</summary>
    public const int MaxFindingsInEmail = 10;

    public async Task<RenderedEmail> ComposeAsync(string template, string role, WorkflowInstance instance, EmailRecipient recipient, CancellationToken cancellationToken)
    {
        var parts = definitions.Library.FindTemplate(template)
            ?? throw new InvalidOperationException($"Email template '{template}' is not in {definitions.Folder}/templates.");
        return renderer.Render(parts, recipient.Person, await ModelAsync(instance, recipient.Reason, cancellationToken));
    }

    private async Task<EmailModel> ModelAsync(WorkflowInstance instance, string? reason, CancellationToken cancellationToken)
    {
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var site = instance.SiteId is { } siteId
            ? await db.Sites.AsNoTracking().Include(s => s.Program).SingleOrDefaultAsync(s => s.Id == siteId, cancellationToken)
            : null;
        var program = site?.Program?.Name ?? await db.Programs.AsNoTracking().OrderBy(p => p.CreatedAt).Select(p => p.Name).FirstOrDefaultAsync(cancellationToken) ?? "MIDRC";
        var data = instance.Values();
        var now = clock.GetUtcNow();
        var model = new EmailModel
        {
            ProgramName = program,
            Site = site is null ? null : new EmailSite(site.Name, site.Code),
            Workflow = new EmailWorkflow(definition.Title, definition.FindState(instance.State)?.Title ?? instance.State, instance.UpdatedAt),
            Deadline = instance.Deadlines().Values.Where(d => d >= now).Order().Select(d => (DateTimeOffset?)d).FirstOrDefault(),
            Reason = string.IsNullOrWhiteSpace(reason) ? null : reason,
            Counts = new EmailCounts { Errors = data.TryGetValue("open-errors", out var errors) && int.TryParse(errors, out var e) ? e : null },
            ActionPath = site is null ? "/" : SitePaths.Site(site.Code),
        };
        return instance.SubjectType switch
        {
            "solicitation" => await WithRequestAsync(model, instance.SubjectId, site?.Code, cancellationToken),
            "submission" => await WithSubmissionAsync(model, instance.SubjectId, cancellationToken),
            _ => model,
        };
    }

    private async Task<EmailModel> WithRequestAsync(EmailModel model, Guid solicitationId, string? siteCode, CancellationToken cancellationToken)
    {
        var request = await db.Solicitations.AsNoTracking().SingleOrDefaultAsync(s => s.Id == solicitationId, cancellationToken);
        return request is null || siteCode is null
            ? model
            : model with
            {
                Request = new EmailRequest(request.Title, request.Modalities.Replace(",", ", ", StringComparison.Ordinal), request.InclusionCriteria, request.RequestedExams),
                // The date the data is due is what a request's emails are about; the workflow's own deadlines remind about it.
                Deadline = request.DueAt,
                Counts = model.Counts with { Requested = request.RequestedExams },
                ActionPath = SitePaths.Request(siteCode, request.Id),
            };
    }

    /// <summary>
    /// A submission's emails lead to its findings report and say what to fix: open findings counted by rule, and a
    /// screenful of them (de-identification errors first, so a leak is named with the file and the attribute's path).
    /// </summary>
    private async Task<EmailModel> WithSubmissionAsync(EmailModel model, Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null)
        {
            return model;
        }
        var open = await db.Findings.AsNoTracking()
            .Where(f => f.SubmissionId == submission.Id && ProgramProgress.OpenStatuses.Contains(f.Status))
            .Select(f => new { f.Rule, f.Severity, f.File, f.Path, f.Message, f.Hint }).ToListAsync(cancellationToken);
        var instances = db.Instances.Where(i => i.SubmissionId == submission.Id);
        return model with
        {
            Submission = new EmailSubmission(submission.Id.ToString(), submission.CompletedAt ?? submission.StartedAt),
            Counts = model.Counts with
            {
                Errors = open.Count(f => f.Severity == Severity.Error),
                Warnings = open.Count(f => f.Severity == Severity.Warning),
                Files = await instances.CountAsync(i => i.QuarantineState != QuarantineState.Superseded, cancellationToken),
                Quarantined = await instances.CountAsync(i => i.QuarantineState == QuarantineState.Rejected, cancellationToken),
            },
            Rules = [.. open.GroupBy(f => f.Rule)
                .Select(g => new { Rule = g.Key, Severity = g.Max(f => f.Severity), Count = g.Count(), g.First().Message, g.First().Hint })
                .OrderByDescending(r => r.Severity).ThenByDescending(r => r.Count).ThenBy(r => r.Rule, StringComparer.Ordinal)
                .Select(r => new EmailRuleCount(r.Rule, VerificationReport.SeverityName(r.Severity), r.Count, r.Message, r.Hint))],
            Findings = [.. open
                .OrderByDescending(f => f.Severity).ThenByDescending(f => DeidentificationVerdicts.IsDeidentification(f.Rule)).ThenBy(f => f.File, StringComparer.Ordinal)
                .Take(MaxFindingsInEmail)
                .Select(f => new EmailFinding(VerificationReport.SeverityName(f.Severity), f.Message, f.Path.Length > 0 ? $"{f.File}, at {f.Path}" : f.File, f.Hint))],
            ActionPath = SitePaths.SubmissionReport(submission.Id),
        };
    }
}
