using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Findings;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Submissions;
using Midrc.Curation.Reports;

namespace Midrc.Orchestrator.Workflows;

/// <summary>
/// <c>run-qa-checks</c>: reads the QA findings recorded for the submission (or, during onboarding, the site's latest
/// test transfer) and reports the open errors to the workflow. Producing the findings from the files is the intake's
/// work; de-identification findings are left to <c>verify-deidentification</c>, since no fix loop or waiver may excuse them.
/// </summary>
public sealed class RunQaChecksJob(MidrcDbContext db, WorkflowRuntime runtime) : IWorkflowJob
{
    public string Name => "run-qa-checks";

    public async Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken)
    {
        var submissionId = await context.SubjectSubmissionAsync(db, cancellationToken);
        var openErrors = submissionId is null ? 0 : await db.Findings.OpenQaErrors(submissionId.Value).CountAsync(cancellationToken);
        if (context.Instance.SubjectType == "site")
        {
            return await TestTransfer.ReportAsync(runtime, context, "test-transfer-qa", submissionId is not null && openErrors == 0, cancellationToken);
        }

        var result = await runtime.FireAsync(context.FollowUp("qa-finished", new Dictionary<string, string> { ["open-errors"] = InstanceData.Number(openErrors) }), cancellationToken);
        return $"{Plural.Count(openErrors, "open error finding")}; {result.Message}";
    }
}

/// <summary>
/// <c>verify-deidentification</c>: reports each instance's de-identification outcome, then decides: failed when any
/// file failed, passed when every file passed; while a program manager must review a file it waits, and the review
/// runs it again. An indexed submission with no DICOM file to verify (only unreadable files, waived, or only clinical
/// CSVs) is decided too, never left waiting: nothing in it can leak, so it passes with no exam; a test transfer fails,
/// since it exists to show that the site's images arrive readable and de-identified.
/// </summary>
public sealed class VerifyDeidentificationJob(MidrcDbContext db, DeidentificationVerdicts verdicts, WorkflowRuntime runtime) : IWorkflowJob
{
    public string Name => "verify-deidentification";

    public async Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken)
    {
        if (await context.SubjectSubmissionAsync(db, cancellationToken) is not { } submissionId)
        {
            return "No submission to verify yet.";
        }
        var verdict = await verdicts.VerifyAsync(submissionId, cancellationToken);
        if (verdict.Files == 0)
        {
            return await NothingToVerifyAsync(context, submissionId, cancellationToken);
        }
        if (verdict.Passed is not { } passed)
        {
            return $"{Plural.Count(verdict.Files, "file")}; {verdict.NeedsReview} wait for a program manager's review before deciding.";
        }

        if (context.Instance.SubjectType == "site")
        {
            return await TestTransfer.ReportAsync(runtime, context, "test-transfer-deid", passed, cancellationToken);
        }

        var result = await runtime.FireAsync(context.FollowUp("deid-finished", new Dictionary<string, string>
        {
            ["deid-result"] = passed ? "passed" : "failed",
            ["quarantined-files"] = InstanceData.Number(verdict.Failed),
        }), cancellationToken);
        return $"{Plural.Count(verdict.Files, "file")}, {verdict.Failed} failed de-identification; {result.Message}";
    }

    private async Task<string> NothingToVerifyAsync(WorkflowJobContext context, Guid submissionId, CancellationToken cancellationToken)
    {
        if (!await db.Submissions.AnyAsync(s => s.Id == submissionId && s.IndexedRound > 0, cancellationToken))
        {
            return "The submission is not indexed yet; its files are verified once it is.";
        }
        const string nothing = "No DICOM file of the submission could be read, so there is nothing to verify";
        if (context.Instance.SubjectType == "site")
        {
            return $"{nothing}; {await TestTransfer.ReportAsync(runtime, context, "test-transfer-deid", passed: false, cancellationToken)}";
        }
        var result = await runtime.FireAsync(context.FollowUp("deid-finished", new Dictionary<string, string>
        {
            ["deid-result"] = "passed",
            ["quarantined-files"] = InstanceData.Number(0),
        }), cancellationToken);
        return $"{nothing}: it is accepted with no exam. {result.Message}";
    }
}

/// <summary><c>send-digest</c>: digests belong to the notifications feature, which sends them from the outbox; this job says so and does nothing.</summary>
public sealed class SendDigestJob : IWorkflowJob
{
    public string Name => "send-digest";

    public Task<string> RunAsync(WorkflowJobContext context, CancellationToken cancellationToken) =>
        Task.FromResult("Nothing sent: daily digests are sent by the notifications feature from the outbox.");
}

/// <summary>Helpers the program's jobs share.</summary>
internal static class WorkflowJobHelpers
{
    /// <summary>A submission's error findings that still block QA: open or waiting for a waiver, de-identification aside.</summary>
    public static IQueryable<QaFinding> OpenQaErrors(this IQueryable<QaFinding> findings, Guid submissionId) =>
        findings.Where(f => f.SubmissionId == submissionId && f.Severity == Severity.Error && !f.Rule.StartsWith("deid.")
            && ProgramProgress.OpenStatuses.Contains(f.Status));

    /// <summary>A follow-up trigger fired by the orchestrator, once per intent, with the job's results as data.</summary>
    public static FireRequest FollowUp(this WorkflowJobContext context, string trigger, IReadOnlyDictionary<string, string> data) =>
        new(context.Instance.Id, trigger, Actor.System, context.FollowUpKey) { Data = data };

    /// <summary>The submission the job is about: the subject itself, or for a site in onboarding its latest test transfer.</summary>
    public static async Task<Guid?> SubjectSubmissionAsync(this WorkflowJobContext context, MidrcDbContext db, CancellationToken cancellationToken) =>
        context.Instance.SubjectType == "site"
            ? await db.Submissions.Where(s => s.SiteId == context.Instance.SubjectId).OrderByDescending(s => s.StartedAt).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(cancellationToken)
            : context.Instance.SubjectId;
}

/// <summary>
/// The onboarding test transfer passes when both QA and de-identification pass. Each job records its half for the
/// round (the transition that asked for the checks); whichever finishes second fires <c>test-transfer-checked</c>.
/// </summary>
internal static class TestTransfer
{
    public static async Task<string> ReportAsync(WorkflowRuntime runtime, WorkflowJobContext context, string key, bool passed, CancellationToken cancellationToken)
    {
        var round = context.Intent.IdempotencyKey[..context.Intent.IdempotencyKey.LastIndexOf(':')];
        var value = $"{(passed ? "passed" : "failed")} {round}";
        var recorded = await runtime.RecordDataAsync(context.Instance.Id, new Dictionary<string, string> { [key] = value }, cancellationToken);
        var qa = recorded.GetValueOrDefault("test-transfer-qa");
        var deid = recorded.GetValueOrDefault("test-transfer-deid");
        if (qa?.EndsWith(round, StringComparison.Ordinal) != true || deid?.EndsWith(round, StringComparison.Ordinal) != true)
        {
            return $"Test transfer {key[14..]} {(passed ? "passed" : "failed")}; waiting for the other check.";
        }

        var both = qa.StartsWith("passed", StringComparison.Ordinal) && deid.StartsWith("passed", StringComparison.Ordinal);
        var result = await runtime.FireAsync(context.FollowUp("test-transfer-checked", new Dictionary<string, string> { ["test-transfer-result"] = both ? "passed" : "failed" }), cancellationToken);
        return $"Test transfer {(both ? "passed" : "failed")} its checks; {result.Message}";
    }
}
