using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Sites;

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

    private async Task<EmailModel> WithSubmissionAsync(EmailModel model, Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null)
        {
            return model;
        }
        var files = await db.ReceivedFiles.CountAsync(f => f.SubmissionId == submissionId, cancellationToken);
        return model with
        {
            Submission = new EmailSubmission(submission.Id.ToString(), submission.StartedAt),
            Counts = model.Counts with { Files = files },
            ActionPath = SitePaths.SubmissionReport(submission.Id),
        };
    }
}
