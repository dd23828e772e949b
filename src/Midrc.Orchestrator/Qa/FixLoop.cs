using Hangfire;
using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Findings;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;
using Midrc.Curation.Reports;

namespace Midrc.Orchestrator.Qa;

/// <summary>Findings a person acts on, with why.</summary>
public sealed record FindingsDecision(IReadOnlyList<Guid>? FindingIds, string? Reason);

/// <summary>A program manager's review of files flagged for burned-in text: <c>passed</c> or <c>failed</c>, with why.</summary>
public sealed record ReviewDecision(IReadOnlyList<Guid>? InstanceIds, string? Outcome, string? Reason);

/// <summary>What a decision did, in a sentence, and the submission's status afterwards.</summary>
public sealed record DecisionResult(string Message, string Status);

/// <summary>
/// The people's side of the fix loop: a coordinator asks for waivers of error findings, a program manager grants or
/// refuses them and decides on files flagged for review. Every decision is audited in the transaction that makes it,
/// then moves the submission's workflow (once, under a key of the decision). Refusals are <see cref="IntakeException"/>s
/// with the HTTP status and a sentence the person can act on.
/// </summary>
public sealed class FixLoop(MidrcDbContext db, WorkflowRuntime runtime, AuditTrail audit, IBackgroundJobClient jobs, TimeProvider clock)
{
    /// <summary>The most findings or files one decision may name.</summary>
    public const int MaxIds = 10_000;

    /// <summary>The submission when the actor may see its site; otherwise not found, so ids reveal nothing.</summary>
    public async Task<Submission> FindAsync(Actor actor, Guid submissionId, CancellationToken cancellationToken)
    {
        var submission = await db.Submissions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        return submission is not null && actor.CanSee(submission.SiteId)
            ? submission
            : throw new IntakeException(StatusCodes.Status404NotFound, "Not found", $"There is no submission {submissionId} that you can see.");
    }

    /// <summary>A coordinator asks a program manager to waive open error findings.</summary>
    public async Task<DecisionResult> RequestWaiverAsync(Actor actor, Submission submission, FindingsDecision request, CancellationToken cancellationToken)
    {
        if (!actor.CoordinatedSites.Contains(submission.SiteId))
        {
            throw Forbidden("Only the site's coordinators ask for waivers; a program manager grants or refuses them.");
        }
        var reason = Reason(request.Reason, "why the findings cannot be fixed");
        var findings = await FindingsAsync(submission, request.FindingIds, cancellationToken);
        if (findings.FirstOrDefault(f => DeidentificationVerdicts.IsDeidentification(f.Rule)) is { } deid)
        {
            throw Unprocessable($"De-identification findings can never be waived ({deid.Rule} in {deid.File}): a file that may identify a patient is never published. Correct the file and upload it again.");
        }
        if (findings.FirstOrDefault(f => f.Severity != Severity.Error) is { } warning)
        {
            throw Unprocessable($"Finding {warning.Id} ({warning.Rule}) is a warning: warnings do not block acceptance, so they need no waiver.");
        }
        if (findings.FirstOrDefault(f => f.Status != FindingStatus.Open) is { } closed)
        {
            throw IntakeException.Conflict($"Finding {closed.Id} ({closed.Rule}) is {Words(closed.Status)}, not open: only open findings can be waived.");
        }
        foreach (var finding in findings)
        {
            finding.Status = FindingStatus.WaiverRequested;
            finding.WaiverRequest = reason;
        }
        var decision = audit.Record(actor.Name, "finding.waiver-requested", nameof(Submission), submission.Id.ToString(), submission.SiteId, new { findings = findings.Select(f => f.Id), reason });
        await db.SaveChangesAsync(cancellationToken);
        return await MoveAsync(submission, "request-waiver", actor, reason, decision.Id, $"Waiver asked for {Plural.Count(findings.Count, "finding")}.", cancellationToken);
    }

    /// <summary>A program manager grants or refuses requested waivers; the workflow moves on once no request is left.</summary>
    public async Task<DecisionResult> DecideWaiverAsync(Actor actor, Submission submission, FindingsDecision request, bool grant, CancellationToken cancellationToken)
    {
        RequireProgramManager(actor, "grant or refuse waivers");
        var reason = Reason(request.Reason, grant ? "why the findings may stay" : "why the waiver is refused");
        var findings = await FindingsAsync(submission, request.FindingIds, cancellationToken);
        if (findings.FirstOrDefault(f => f.Status != FindingStatus.WaiverRequested) is { } other)
        {
            throw IntakeException.Conflict($"Finding {other.Id} ({other.Rule}) is {Words(other.Status)}: no waiver was asked for it.");
        }
        var now = clock.GetUtcNow();
        foreach (var finding in findings)
        {
            finding.Status = grant ? FindingStatus.Waived : FindingStatus.Open;
            finding.WaiverReason = reason;
            finding.ClosedAt = grant ? now : null;
            finding.ClosedBy = grant ? actor.Name : null;
        }
        var decision = audit.Record(actor.Name, grant ? "finding.waived" : "finding.waiver-refused", nameof(Submission), submission.Id.ToString(), submission.SiteId,
            new { findings = findings.Select(f => f.Id), reason });
        await db.SaveChangesAsync(cancellationToken);
        var done = $"{(grant ? "Waived" : "Refused the waiver of")} {Plural.Count(findings.Count, "finding")}.";
        if (await db.Findings.OpenQaErrors(submission.Id).AnyAsync(f => f.Status == FindingStatus.WaiverRequested, cancellationToken))
        {
            return new DecisionResult($"{done} Other waiver requests wait for a decision.", (await StatusAsync(submission.Id, cancellationToken)).ToString());
        }
        var blocked = await db.Findings.OpenQaErrors(submission.Id).AnyAsync(cancellationToken);
        return await MoveAsync(submission, blocked ? "refuse-waiver" : "grant-waiver", actor, reason, decision.Id, done, cancellationToken);
    }

    /// <summary>A program manager decides on files flagged for review; verification then runs again.</summary>
    public async Task<DecisionResult> ReviewAsync(Actor actor, Submission submission, ReviewDecision request, CancellationToken cancellationToken)
    {
        RequireProgramManager(actor, "decide on files flagged for review");
        var passed = request.Outcome?.Trim().ToLowerInvariant() switch
        {
            "passed" => true,
            "failed" => false,
            _ => throw IntakeException.Invalid($"outcome '{request.Outcome}' is not one of: passed, failed."),
        };
        var reason = Reason(request.Reason, passed ? "what you checked in the pixels" : "what identifying text you saw");
        var ids = Ids(request.InstanceIds, "instanceIds", "file");
        var reports = await db.DeidentificationReports.Include(r => r.Instance)
            .Where(r => ids.Contains(r.InstanceId) && r.Instance!.SubmissionId == submission.Id).ToListAsync(cancellationToken);
        Unknown(ids, reports.Select(r => r.InstanceId), "file");
        if (reports.FirstOrDefault(r => r.Outcome != DeidentificationOutcome.NeedsReview) is { } decided)
        {
            throw IntakeException.Conflict($"File {decided.InstanceId} ({decided.Instance!.OriginalName}) is {Words(decided.Outcome)}, not waiting for review.");
        }
        var now = clock.GetUtcNow();
        foreach (var report in reports)
        {
            report.Outcome = passed ? DeidentificationOutcome.Passed : DeidentificationOutcome.Failed;
            report.ReviewedBy = actor.Name;
            report.ReviewReason = reason;
            report.ReviewedAt = now;
            if (!passed)
            {
                report.Instance!.QuarantineState = QuarantineState.Rejected;
            }
        }
        audit.Record(actor.Name, passed ? "deidentification.review-passed" : "deidentification.review-failed", nameof(Submission), submission.Id.ToString(), submission.SiteId,
            new { instances = ids, reason });
        await db.SaveChangesAsync(cancellationToken);
        if (await db.WorkflowInstances.AsNoTracking()
            .Where(i => (i.SubjectId == submission.Id && i.DefinitionId == WorkflowSubmissionEvents.SubmissionWorkflow)
                || (i.SubjectId == submission.SiteId && i.DefinitionId == WorkflowSubmissionEvents.OnboardingWorkflow && !i.IsFinished))
            .Select(i => (Guid?)i.Id).FirstOrDefaultAsync(cancellationToken) is { } instance)
        {
            jobs.Enqueue<WorkflowJobRunner>(runner => runner.RerunAsync(instance, "verify-deidentification", CancellationToken.None));
        }
        return new DecisionResult($"{Plural.Count(reports.Count, "file")} {(passed ? "passed" : "failed")} review; de-identification verification runs again.", (await StatusAsync(submission.Id, cancellationToken)).ToString());
    }

    private async Task<DecisionResult> MoveAsync(Submission submission, string trigger, Actor actor, string reason, long decision, string done, CancellationToken cancellationToken)
    {
        var instance = await db.WorkflowInstances.AsNoTracking()
            .Where(i => i.SubjectId == submission.Id && i.DefinitionId == WorkflowSubmissionEvents.SubmissionWorkflow).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(cancellationToken);
        var moved = instance is { } id
            ? (await runtime.FireAsync(new FireRequest(id, trigger, actor, $"{trigger}:{decision}") { Reason = reason }, cancellationToken)).Message
            : "";
        return new DecisionResult($"{done} {moved}".Trim(), (await StatusAsync(submission.Id, cancellationToken)).ToString());
    }

    private Task<SubmissionStatus> StatusAsync(Guid submissionId, CancellationToken cancellationToken) =>
        db.Submissions.AsNoTracking().Where(s => s.Id == submissionId).Select(s => s.Status).SingleAsync(cancellationToken);

    private async Task<List<QaFinding>> FindingsAsync(Submission submission, IReadOnlyList<Guid>? requested, CancellationToken cancellationToken)
    {
        var ids = Ids(requested, "findingIds", "finding");
        var findings = await db.Findings.Where(f => f.SubmissionId == submission.Id && ids.Contains(f.Id)).ToListAsync(cancellationToken);
        Unknown(ids, findings.Select(f => f.Id), "finding");
        return findings;
    }

    private static List<Guid> Ids(IReadOnlyList<Guid>? requested, string field, string noun) =>
        requested switch
        {
            null or { Count: 0 } => throw IntakeException.Invalid($"Name at least one {noun} in {field}."),
            { Count: > MaxIds } => throw IntakeException.Invalid($"Name at most {MaxIds:N0} {noun}s at once; split the list."),
            _ => [.. requested.Distinct()],
        };

    private static void Unknown(IEnumerable<Guid> asked, IEnumerable<Guid> found, string noun)
    {
        var unknown = asked.Except(found).ToList();
        if (unknown.Count > 0)
        {
            throw IntakeException.Invalid($"{Plural.Count(unknown.Count, noun)} {(unknown.Count == 1 ? "is" : "are")} not in this submission: {string.Join(", ", unknown.Take(5))}{(unknown.Count > 5 ? ", …" : "")}. Use the ids of this submission's report.");
        }
    }

    private static string Reason(string? reason, string what) =>
        reason?.Trim() switch
        {
            null or { Length: 0 } => throw IntakeException.Invalid($"A reason is required: say {what}."),
            { Length: > MidrcDbContext.ReasonLength } => throw IntakeException.Invalid($"The reason is longer than {MidrcDbContext.ReasonLength:N0} characters; shorten it."),
            var text => text,
        };

    private static void RequireProgramManager(Actor actor, string what)
    {
        if (!actor.IsProgramManager)
        {
            throw Forbidden($"Only program managers {what}.");
        }
    }

    private static IntakeException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Not allowed", detail);

    private static IntakeException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Not possible", detail);

    private static string Words<T>(T value) where T : struct, Enum => Pages.Shared.Show.Words(value).ToLowerInvariant();
}
