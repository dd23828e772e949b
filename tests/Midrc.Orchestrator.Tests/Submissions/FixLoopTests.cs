using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>
/// The submission pipeline end to end: sites send real files over the upload API, the indexing and workflow jobs run
/// as Hangfire would, coordinators and program managers act over HTTP with their sign-in cookies.
/// </summary>
public sealed class FixLoopTests
{
    private const string NestedNamePath = "(0040,0275)[0].(0008,1120)[0].(0010,0010)";

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_name_leaked_in_a_nested_sequence_quarantines_the_submission_rejects_the_file_and_tells_the_coordinator_where(DatabaseProvider provider)
    {
        await using var pipeline = await Pipeline.StartAsync(provider);
        var clean = pipeline.Host.WriteChest();
        var leaked = Inject(pipeline.Host.WriteChest(), "nested-name-in-removed-sequence");

        var id = await pipeline.SubmitAsync(clean, leaked);

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Quarantined));
        var instances = await pipeline.Host.InDatabaseAsync(db => db.Instances.Where(i => i.SubmissionId == id).ToListAsync());
        instances.Single(i => i.OriginalName == Path.GetFileName(leaked)).QuarantineState.ShouldBe(QuarantineState.Rejected);
        instances.Single(i => i.OriginalName == Path.GetFileName(clean)).QuarantineState.ShouldBe(QuarantineState.Quarantined, "a quarantined submission publishes nothing");
        var reports = await pipeline.Host.InDatabaseAsync(db => db.DeidentificationReports.Where(r => r.Instance!.SubmissionId == id).ToListAsync());
        reports.Count.ShouldBe(2, "one report per instance");
        reports.ShouldAllBe(r => r.Profile == "MIDRC 2026.1");
        reports.Select(r => r.Outcome).ShouldBe([DeidentificationOutcome.Passed, DeidentificationOutcome.Failed], ignoreOrder: true);
        var email = await pipeline.Host.InDatabaseAsync(db => db.Outbox.SingleAsync(m => m.Template == "submission-quarantined"));
        email.ToAddress.ShouldBe(pipeline.CoordinatorEmail);
        email.TextBody.ShouldContain(Path.GetFileName(leaked));
        email.TextBody.ShouldContain(NestedNamePath);
        email.TextBody.ShouldContain("Patient's Name");
        email.TextBody.ShouldContain($"/submissions/{id}/report");

        var before = await pipeline.SnapshotAsync(id);
        await pipeline.RerunAllWorkflowJobsAsync(id);
        (await pipeline.SnapshotAsync(id)).ShouldBe(before, "running every job again changes nothing");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_qa_error_fixed_by_a_corrected_file_closes_as_fixed_and_the_submission_is_accepted_with_verified_files(DatabaseProvider provider)
    {
        await using var pipeline = await Pipeline.StartAsync(provider);
        var original = pipeline.Host.WriteChest();
        var other = pipeline.Host.WriteChest();
        var head = DicomEdits.WithBodyPart(original, "HEAD");

        var id = await pipeline.SubmitAsync(head, other);

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes));
        var email = await pipeline.Host.InDatabaseAsync(db => db.Outbox.SingleAsync(m => m.Template == "fixes-needed"));
        email.TextBody.ShouldContain("1 x error qa.body-part-not-requested");
        email.TextBody.ShouldContain($"/submissions/{id}/report");
        var report = await pipeline.ReportAsync(pipeline.Coordinator, id);
        var rule = report.Rules.Single(r => r.Rule == "qa.body-part-not-requested");
        (rule.Open, rule.Waivable, rule.Series.Single().ExampleFiles.Single()).ShouldBe((1, true, Path.GetFileName(head)));

        // The corrected file: the same SOP Instance, now a chest, sent to the same submission.
        using (var put = await IntakeHost.PutBytesAsync(pipeline.Uch, id, File.ReadAllBytes(original), Path.GetFileName(head)))
        {
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        }
        await pipeline.CompleteAsync(id);

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
        var finding = await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.SubmissionId == id && f.Rule == "qa.body-part-not-requested"));
        (finding.Status, finding.ClosedBy).ShouldBe((FindingStatus.Fixed, "system"));
        finding.ClosedAt.ShouldNotBeNull();
        var instances = await pipeline.Host.InDatabaseAsync(db => db.Instances.Where(i => i.SubmissionId == id).ToListAsync());
        instances.Count(i => i.QuarantineState == QuarantineState.Superseded).ShouldBe(1, "the file with the wrong body part is replaced");
        instances.Count(i => i.QuarantineState == QuarantineState.Verified).ShouldBe(2);
        (await pipeline.Host.CountAsync<QaFinding>(q => q.Where(f => f.SubmissionId == id && f.Status == FindingStatus.Open && f.Severity == Curation.Findings.Severity.Error))).ShouldBe(0);

        var before = await pipeline.SnapshotAsync(id);
        await pipeline.RerunAllWorkflowJobsAsync(id);
        await pipeline.RunIndexerAsync(id);
        (await pipeline.SnapshotAsync(id)).ShouldBe(before, "running every job again changes nothing");
    }

    [Fact]
    public async Task A_waiver_granted_by_a_program_manager_is_audited_and_moves_the_submission_to_acceptance()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var id = await pipeline.SubmitAsync(DicomEdits.WithBodyPart(pipeline.Host.WriteChest(), "ABDOMEN"));
        var finding = (await pipeline.ReportAsync(pipeline.Coordinator, id)).Rules.Single(r => r.Rule == "qa.body-part-not-requested").OpenIds.Single();

        using (var asked = await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/waivers", new { findingIds = new[] { finding }, reason = "The site's exports label chest CT as abdomen." }))
        {
            asked.StatusCode.ShouldBe(HttpStatusCode.OK, await asked.Content.ReadAsStringAsync());
        }
        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowInstances.SingleAsync(i => i.SubjectId == id))).State.ShouldBe("waiver-requested");
        (await pipeline.Host.InDatabaseAsync(db => db.Outbox.CountAsync(m => m.Template == "waiver-requested" && m.ToAddress == pipeline.ManagerEmail))).ShouldBe(1);

        using (var granted = await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/waivers/grant", new { findingIds = new[] { finding }, reason = "Checked: the images are chest." }))
        {
            granted.StatusCode.ShouldBe(HttpStatusCode.OK, await granted.Content.ReadAsStringAsync());
        }
        var waived = await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.Id == finding));
        (waived.Status, waived.WaiverRequest, waived.WaiverReason, waived.ClosedBy).ShouldBe(
            (FindingStatus.Waived, "The site's exports label chest CT as abdomen.", "Checked: the images are chest.", pipeline.ManagerEmail));
        var audit = await pipeline.Host.InDatabaseAsync(db => db.AuditEvents.Where(e => e.EntityId == id.ToString()).Select(e => new { e.Action, e.Actor }).ToListAsync());
        audit.ShouldContain(new { Action = "finding.waiver-requested", Actor = pipeline.CoordinatorEmail });
        audit.ShouldContain(new { Action = "finding.waived", Actor = pipeline.ManagerEmail });

        await pipeline.Host.RunAllJobsAsync();
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
        (await pipeline.Host.CountAsync<Instance>(q => q.Where(i => i.SubmissionId == id && i.QuarantineState == QuarantineState.Verified))).ShouldBe(1);
    }

    [Fact]
    public async Task A_de_identification_error_can_never_be_waived()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var id = await pipeline.SubmitAsync(DicomEdits.WithBodyPart(Inject(pipeline.Host.WriteChest(), "nested-name-in-removed-sequence"), "HEAD"));
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes));
        var report = await pipeline.ReportAsync(pipeline.Coordinator, id);
        var leak = report.Rules.Single(r => r.Rule == "deid.patient-name-not-pseudonym");
        leak.Waivable.ShouldBeFalse();
        var leakId = await pipeline.Host.InDatabaseAsync(db => db.Findings.Where(f => f.SubmissionId == id && f.Rule == leak.Rule).Select(f => f.Id).SingleAsync());

        var problem = await ProblemAsync(await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/waivers", new { findingIds = new[] { leakId }, reason = "Please." }), HttpStatusCode.UnprocessableEntity);

        problem.Detail.ShouldNotBeNull().ShouldContain("can never be waived");
        (await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.Id == leakId))).Status.ShouldBe(FindingStatus.Open);
    }

    [Fact]
    public async Task A_file_flagged_for_burned_in_text_waits_for_a_program_managers_review_then_proceeds()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var id = await pipeline.SubmitAsync(Inject(pipeline.Host.WriteChest(), "burned-in-annotation"));

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.DeidVerification));
        var flagged = (await pipeline.ReportAsync(pipeline.Manager, id)).Deidentification.Single();
        flagged.Outcome.ShouldBe(nameof(DeidentificationOutcome.NeedsReview));
        await pipeline.RerunAllWorkflowJobsAsync(id);
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.DeidVerification), "nothing is decided before the review");

        var body = new { instanceIds = new[] { flagged.InstanceId }, outcome = "passed", reason = "Only the laterality marker is burned in." };
        await ProblemAsync(await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/reviews", body), HttpStatusCode.Forbidden);
        using (var reviewed = await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/reviews", body))
        {
            reviewed.StatusCode.ShouldBe(HttpStatusCode.OK, await reviewed.Content.ReadAsStringAsync());
        }
        await pipeline.Host.RunAllJobsAsync();

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
        var report = await pipeline.Host.InDatabaseAsync(db => db.DeidentificationReports.SingleAsync(r => r.InstanceId == flagged.InstanceId));
        (report.Outcome, report.ReviewedBy).ShouldBe((DeidentificationOutcome.Passed, pipeline.ManagerEmail));
        (await pipeline.Host.InDatabaseAsync(db => db.Instances.SingleAsync(i => i.Id == flagged.InstanceId))).QuarantineState.ShouldBe(QuarantineState.Verified);
        (await pipeline.Host.InDatabaseAsync(db => db.AuditEvents.CountAsync(e => e.Action == "deidentification.review-passed"))).ShouldBe(1);
    }

    [Fact]
    public async Task Another_sites_coordinator_gets_404_and_the_wrong_role_403_on_every_new_endpoint()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var id = await pipeline.SubmitAsync(DicomEdits.WithBodyPart(pipeline.Host.WriteChest(), "HEAD"));
        var finding = (await pipeline.ReportAsync(pipeline.Coordinator, id)).Rules.Single(r => r.Rule == "qa.body-part-not-requested").OpenIds.Single();
        using var muc = await (await SignInFlow.ClientWithRoleAsync(pipeline.Host.Factory, Role.SiteCoordinator, await pipeline.SiteIdAsync("MUC"))).SendingAntiforgeryTokenAsync();
        using var anonymous = pipeline.Host.Factory.CreateClient();
        var decision = new { findingIds = new[] { finding }, reason = "because", instanceIds = new[] { Guid.NewGuid() }, outcome = "passed" };

        foreach (var path in new[] { "report", "report.csv" })
        {
            (await muc.GetAsync($"/api/submissions/{id}/{path}")).StatusCode.ShouldBe(HttpStatusCode.NotFound, path);
            (await anonymous.GetAsync($"/api/submissions/{id}/{path}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
        }
        foreach (var path in new[] { "waivers", "waivers/grant", "waivers/refuse", "reviews" })
        {
            await ProblemAsync(await muc.PostAsJsonAsync($"/api/submissions/{id}/{path}", decision), HttpStatusCode.NotFound);
            (await anonymous.PostAsJsonAsync($"/api/submissions/{id}/{path}", decision)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, path);
        }
        await ProblemAsync(await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/waivers/grant", decision), HttpStatusCode.Forbidden);
        await ProblemAsync(await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/waivers/refuse", decision), HttpStatusCode.Forbidden);
        await ProblemAsync(await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/waivers", decision), HttpStatusCode.Forbidden);

        using var csv = await pipeline.Coordinator.GetAsync($"/api/submissions/{id}/report.csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await csv.Content.ReadAsStringAsync()).ShouldContain("qa.body-part-not-requested,error,");
    }

    [Fact]
    public async Task Broken_decisions_get_problem_details_that_say_what_is_wrong()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var id = await pipeline.SubmitAsync(DicomEdits.WithBodyPart(pipeline.Host.WriteChest(), "HEAD"));
        var otherId = await pipeline.SubmitAsync(DicomEdits.WithBodyPart(pipeline.Host.WriteChest(), "HEAD"));
        var finding = (await pipeline.ReportAsync(pipeline.Coordinator, id)).Rules.Single(r => r.Rule == "qa.body-part-not-requested").OpenIds.Single();
        var others = (await pipeline.ReportAsync(pipeline.Coordinator, otherId)).Rules.Single(r => r.Rule == "qa.body-part-not-requested").OpenIds.Single();
        var unknown = Guid.NewGuid();
        var url = $"/api/submissions/{id}/waivers";

        async Task ExpectAsync(object body, string words) =>
            (await ProblemAsync(await pipeline.Coordinator.PostAsJsonAsync(url, body), HttpStatusCode.BadRequest)).Detail.ShouldNotBeNull().ShouldContain(words);

        await ExpectAsync(new { findingIds = new[] { finding } }, "A reason is required");
        await ExpectAsync(new { findingIds = new[] { finding }, reason = "   " }, "A reason is required");
        await ExpectAsync(new { findingIds = new[] { finding }, reason = new string('x', MidrcDbContext.ReasonLength + 1) }, "longer than 2,000 characters");
        await ExpectAsync(new { findingIds = Array.Empty<Guid>(), reason = "why" }, "Name at least one finding");
        await ExpectAsync(new { findingIds = new[] { unknown }, reason = "why" }, unknown.ToString());
        await ExpectAsync(new { findingIds = new[] { others }, reason = "why" }, "not in this submission");
        (await ProblemAsync(await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/reviews", new { instanceIds = new[] { unknown }, outcome = "maybe", reason = "x" }), HttpStatusCode.BadRequest))
            .Detail.ShouldNotBeNull().ShouldContain("passed, failed");
        (await ProblemAsync(await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/waivers/grant", new { findingIds = new[] { finding }, reason = "x" }), HttpStatusCode.Conflict))
            .Detail.ShouldNotBeNull().ShouldContain("no waiver was asked");
        (await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.Id == finding))).Status.ShouldBe(FindingStatus.Open, "nothing refused changed anything");
    }

    [Fact]
    public async Task The_report_page_shows_grouped_findings_and_takes_a_waiver_request_and_corrected_files_with_antiforgery()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var original = pipeline.Host.WriteChest();
        var head = DicomEdits.WithBodyPart(original, "HEAD");
        var id = await pipeline.SubmitAsync(head);
        var page = $"/submissions/{id}/report";
        using var muc = await SignInFlow.ClientWithRoleAsync(pipeline.Host.Factory, Role.SiteCoordinator, await pipeline.SiteIdAsync("MUC"));

        var html = await pipeline.Coordinator.GetStringAsync(page);
        html.ShouldContain("qa.body-part-not-requested");
        html.ShouldContain("How to fix it:");
        html.ShouldContain("Request a waiver");
        html.ShouldContain("Upload corrected files");
        (await muc.GetAsync(page)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using (var withoutToken = await SignInFlow.ClientWithRoleAsync(pipeline.Host.Factory, Role.SiteCoordinator, await pipeline.SiteIdAsync("UCH")))
        {
            (await withoutToken.PostAsync($"{page}?handler=Waiver", new FormUrlEncodedContent(new Dictionary<string, string> { ["rule"] = "qa.body-part-not-requested", ["reason"] = "x" })))
                .StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a form without its antiforgery token is refused");
        }

        using (var asked = await SignInFlow.PostFormAsync(pipeline.Coordinator, page, new Dictionary<string, string> { ["rule"] = "qa.body-part-not-requested", ["reason"] = "Labelled so by the modality." }, $"{page}?handler=Waiver"))
        {
            asked.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        (await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.SubmissionId == id && f.Rule == "qa.body-part-not-requested"))).Status.ShouldBe(FindingStatus.WaiverRequested);
        (await pipeline.Manager.GetStringAsync(page)).ShouldContain("Grant waiver");

        var token = System.Text.RegularExpressions.Regex.Match(await pipeline.Coordinator.GetStringAsync(page), "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(File.ReadAllBytes(original)), "files", Path.GetFileName(head) },
        };
        using (var uploaded = await pipeline.Coordinator.PostAsync($"{page}?handler=Upload", form))
        {
            uploaded.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        await pipeline.Host.RunAllJobsAsync();

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
        (await pipeline.Host.InDatabaseAsync(db => db.Findings.SingleAsync(f => f.SubmissionId == id && f.Rule == "qa.body-part-not-requested"))).Status.ShouldBe(FindingStatus.Fixed);
        (await pipeline.Coordinator.GetStringAsync(page)).ShouldContain("1 fixed");
    }

    [Fact]
    public async Task Clinical_rows_are_kept_and_a_corrected_csv_in_the_fix_loop_replaces_the_rows_it_corrects()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var original = pipeline.Host.WriteChest();
        var head = DicomEdits.WithBodyPart(original, "HEAD");
        var example = Curation.Clinical.ClinicalTemplates.Example(Curation.Clinical.ClinicalNode.Case);
        example.ShouldContain(",57,");
        var id = await IntakeHost.CreateSubmissionAsync(pipeline.Uch);
        (await IntakeHost.PutFileAsync(pipeline.Uch, id, head)).Dispose();
        await SendCaseCsvAsync(pipeline, id, example);
        await pipeline.CompleteAsync(id);
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes));
        var kept = await pipeline.Host.InDatabaseAsync(db => db.ClinicalCases.SingleAsync(c => c.SubmissionId == id));
        kept.AgeAtIndex.ShouldBe(57);

        (await IntakeHost.PutBytesAsync(pipeline.Uch, id, File.ReadAllBytes(original), Path.GetFileName(head))).Dispose();
        await SendCaseCsvAsync(pipeline, id, example.Replace(",57,", ",58,", StringComparison.Ordinal));
        await pipeline.CompleteAsync(id);

        var corrected = await pipeline.Host.InDatabaseAsync(db => db.ClinicalCases.ToListAsync());
        corrected.ShouldHaveSingleItem().AgeAtIndex.ShouldBe(58, "the corrected row replaces the one it corrects");
        corrected[0].CaseId.ShouldBe(kept.CaseId);
        (await pipeline.Host.InDatabaseAsync(db => db.ReceivedFiles.CountAsync(f => f.SubmissionId == id && f.Kind == ReceivedFileKind.Clinical))).ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_corrected_clinical_csv_drops_the_rows_it_no_longer_holds_and_the_audit_log_keeps_them(DatabaseProvider provider)
    {
        await using var pipeline = await Pipeline.StartAsync(provider);
        var (caseHeader, caseRow) = ExampleRow(Curation.Clinical.ClinicalNode.Case);
        var (visitHeader, visitRow) = ExampleRow(Curation.Clinical.ClinicalNode.Visit);
        string Case(string id) => caseRow.Replace("SITE01-0001", id, StringComparison.Ordinal);
        string Visit(string id, string caseId) => visitRow.Replace("SITE01-0001-V1", id, StringComparison.Ordinal).Replace("SITE01-0001", caseId, StringComparison.Ordinal);
        var earlier = await IntakeHost.CreateSubmissionAsync(pipeline.Uch);
        (await IntakeHost.PutFileAsync(pipeline.Uch, earlier, pipeline.Host.WriteChest())).Dispose();
        await SendCsvAsync(pipeline, earlier, "case", caseHeader + Case("SITE01-0003"));
        await pipeline.CompleteAsync(earlier);
        var original = pipeline.Host.WriteChest();
        var head = DicomEdits.WithBodyPart(original, "HEAD");
        var id = await IntakeHost.CreateSubmissionAsync(pipeline.Uch);
        (await IntakeHost.PutFileAsync(pipeline.Uch, id, head)).Dispose();
        await SendCsvAsync(pipeline, id, "case", caseHeader + Case("SITE01-0001") + Case("SITE01-0002"));
        await SendCsvAsync(pipeline, id, "visit", visitHeader + Visit("SITE01-0001-V1", "SITE01-0001") + Visit("SITE01-0001-V2", "SITE01-0001") + Visit("SITE01-0002-V1", "SITE01-0002"));
        await pipeline.CompleteAsync(id);
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes));
        (await pipeline.Host.CountAsync<Clinical.ClinicalVisit>()).ShouldBe(3);

        (await IntakeHost.PutBytesAsync(pipeline.Uch, id, File.ReadAllBytes(original), Path.GetFileName(head))).Dispose();
        await SendCsvAsync(pipeline, id, "case", caseHeader + Case("SITE01-0001"));
        await SendCsvAsync(pipeline, id, "visit", visitHeader + Visit("SITE01-0001-V1", "SITE01-0001"));
        await pipeline.CompleteAsync(id);

        (await pipeline.Host.InDatabaseAsync(db => db.ClinicalCases.OrderBy(c => c.CaseId).Select(c => c.CaseId).ToListAsync()))
            .ShouldBe(["SITE01-0001", "SITE01-0003"], "the case the corrected file left out no longer counts; another submission's case stays");
        (await pipeline.Host.InDatabaseAsync(db => db.ClinicalVisits.Select(v => v.VisitId).ToListAsync())).ShouldBe(["SITE01-0001-V1"]);
        var dropped = await pipeline.Host.InDatabaseAsync(db => db.AuditEvents.Where(e => e.Action == "clinical.rows-dropped" && e.EntityId == id.ToString()).ToListAsync());
        var details = string.Join("\n", dropped.Select(e => e.Details));
        details.ShouldContain("SITE01-0002-V1");
        details.ShouldContain("SITE01-0001-V2");
        details.ShouldContain("\"SITE01-0002\"");

        var rows = await pipeline.Host.InDatabaseAsync(async db => (await db.ClinicalCases.CountAsync(), await db.ClinicalVisits.CountAsync(), await db.AuditEvents.CountAsync(e => e.Action == "clinical.rows-dropped")));
        await pipeline.RunIndexerAsync(id);
        (await pipeline.Host.InDatabaseAsync(async db => (await db.ClinicalCases.CountAsync(), await db.ClinicalVisits.CountAsync(), await db.AuditEvents.CountAsync(e => e.Action == "clinical.rows-dropped"))))
            .ShouldBe(rows, "indexing again drops nothing more");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_round_indexed_just_before_a_crash_is_reported_to_its_workflow_once_by_the_recurring_resume(DatabaseProvider provider)
    {
        await using var pipeline = await Pipeline.StartAsync(provider);
        var original = pipeline.Host.WriteChest();
        var head = DicomEdits.WithBodyPart(original, "HEAD");
        var id = await IntakeHost.CreateSubmissionAsync(pipeline.Uch);
        (await IntakeHost.PutFileAsync(pipeline.Uch, id, head)).Dispose();

        await pipeline.CompleteAndCrashAfterIndexingAsync(id);
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Received), "indexed, but its workflow never heard of it");
        await pipeline.ResumeAsync();
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes));

        (await IntakeHost.PutBytesAsync(pipeline.Uch, id, File.ReadAllBytes(original), Path.GetFileName(head))).Dispose();
        await pipeline.CompleteAndCrashAfterIndexingAsync(id);
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes), "the corrected round is indexed, but its workflow never heard of it");
        await pipeline.ResumeAsync();
        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));

        var before = await pipeline.SnapshotAsync(id);
        await pipeline.ResumeAsync();
        await pipeline.ResumeAsync();
        (await pipeline.SnapshotAsync(id)).ShouldBe(before, "resuming again changes nothing");
        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowJournal.Where(j => j.Instance!.SubjectId == id).Select(j => j.Trigger).ToListAsync()))
            .Where(t => t is "start-qa" or "resubmit").ShouldBe(["start-qa", "resubmit"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Completing_a_fix_round_twice_before_its_job_runs_answers_the_same_and_checks_the_round_once(DatabaseProvider provider)
    {
        await using var pipeline = await Pipeline.StartAsync(provider);
        var originals = new[] { pipeline.Host.WriteChest(), pipeline.Host.WriteChest() };
        var heads = originals.Select(o => DicomEdits.WithBodyPart(o, "HEAD")).ToArray();
        var ids = new[] { await pipeline.SubmitAsync(heads[0]), await pipeline.SubmitAsync(heads[1]) };

        var early = await ProblemAsync(await pipeline.Uch.PostAsync($"/api/submissions/{ids[0]}/complete", null), HttpStatusCode.Conflict);
        early.Detail.ShouldNotBeNull().ShouldContain("Upload the corrected files first");
        for (var i = 0; i < 2; i++)
        {
            (await IntakeHost.PutBytesAsync(pipeline.Uch, ids[i], File.ReadAllBytes(originals[i]), Path.GetFileName(heads[i]))).Dispose();
        }

        var twice = new[] { await CompleteAnswerAsync(pipeline, ids[0]), await CompleteAnswerAsync(pipeline, ids[0]) };
        var together = await Task.WhenAll(CompleteAnswerAsync(pipeline, ids[1]), CompleteAnswerAsync(pipeline, ids[1]));

        twice[1].ShouldBe(twice[0], "a second click gets the answer of the first");
        together[1].ShouldBe(together[0], "two clicks at the same moment get the same answer");
        twice[0].Status.ShouldBe(HttpStatusCode.Accepted, twice[0].Body);
        together[0].Status.ShouldBe(HttpStatusCode.Accepted, together[0].Body);
        await pipeline.Host.RunAllJobsAsync();
        foreach (var id in ids)
        {
            (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
            (await pipeline.Host.CountAsync<Audit.AuditEvent>(q => q.Where(e => e.EntityId == id.ToString() && e.Action == "submission.resubmitted"))).ShouldBe(1);
            (await pipeline.Host.InDatabaseAsync(db => db.WorkflowJournal.CountAsync(j => j.Instance!.SubjectId == id && j.Trigger == "resubmit"))).ShouldBe(1);
        }
    }

    [Fact]
    public async Task A_submission_of_only_unreadable_files_asks_for_fixes_and_once_waived_is_accepted_with_no_exams_saying_so()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var notDicom = pipeline.Host.WriteFile("discharge-letter.pdf", "%PDF-1.4 not an image"u8.ToArray());

        var id = await pipeline.SubmitAsync(notDicom);

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.AwaitingFixes), "an unreadable file is an error the site must fix");
        (await pipeline.Host.InDatabaseAsync(db => db.Outbox.SingleAsync(m => m.Template == "fixes-needed"))).TextBody.ShouldContain("parse.unreadable");
        var finding = (await pipeline.ReportAsync(pipeline.Coordinator, id)).Rules.Single(r => r.Rule == "parse.unreadable").OpenIds.Single();
        using (var asked = await pipeline.Coordinator.PostAsJsonAsync($"/api/submissions/{id}/waivers", new { findingIds = new[] { finding }, reason = "The letter was sent by mistake." }))
        {
            asked.StatusCode.ShouldBe(HttpStatusCode.OK, await asked.Content.ReadAsStringAsync());
        }
        using (var granted = await pipeline.Manager.PostAsJsonAsync($"/api/submissions/{id}/waivers/grant", new { findingIds = new[] { finding }, reason = "Not an image; nothing to publish." }))
        {
            granted.StatusCode.ShouldBe(HttpStatusCode.OK, await granted.Content.ReadAsStringAsync());
        }
        await pipeline.Host.RunAllJobsAsync();

        (await IntakeHost.GetAsync(pipeline.Uch, id)).Status.ShouldBe(nameof(SubmissionStatus.Accepted), "with nothing left to verify, verification does not wait forever");
        var email = await pipeline.Host.InDatabaseAsync(db => db.Outbox.SingleAsync(m => m.Template == "submission-accepted"));
        email.TextBody.ShouldContain("no DICOM file");
        email.TextBody.ShouldContain("new submission");
        email.TextBody.ShouldNotContain("will be included in the next release");
        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowJobIntents.SingleAsync(i => i.Instance!.SubjectId == id && i.Job == "verify-deidentification")))
            .Outcome.ShouldNotBeNull().ShouldContain("No DICOM file");
    }

    private static async Task<(HttpStatusCode Status, string Body)> CompleteAnswerAsync(Pipeline pipeline, Guid id)
    {
        using var response = await pipeline.Uch.PostAsync($"/api/submissions/{id}/complete", null);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static (string Header, string Row) ExampleRow(Curation.Clinical.ClinicalNode node)
    {
        var lines = Curation.Clinical.ClinicalTemplates.Example(node).Split("\r\n");
        return (lines[0] + "\r\n", lines[1] + "\r\n");
    }

    private static Task SendCaseCsvAsync(Pipeline pipeline, Guid id, string csv) => SendCsvAsync(pipeline, id, "case", csv);

    private static async Task SendCsvAsync(Pipeline pipeline, Guid id, string node, string csv)
    {
        using var response = await pipeline.Uch.PostAsync($"/api/submissions/{id}/clinical/{node}", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_site_still_onboarding_sends_its_test_transfer_which_its_onboarding_workflow_checks()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var (uch, onboarding) = await StartOnboardingAsync(pipeline);

        var id = await pipeline.SubmitAsync(pipeline.Host.WriteChest());

        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowInstances.SingleAsync(i => i.Id == onboarding))).State.ShouldBe("active");
        (await pipeline.Host.InDatabaseAsync(db => db.Sites.SingleAsync(s => s.Id == uch))).Stage.ShouldBe(SiteStage.Active);
        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowInstances.AnyAsync(i => i.SubjectId == id))).ShouldBeFalse("a test transfer has no submission workflow of its own");
        (await pipeline.Host.InDatabaseAsync(db => db.DeidentificationReports.CountAsync(r => r.Instance!.SubmissionId == id))).ShouldBe(1);
    }

    [Fact]
    public async Task A_test_transfer_with_no_readable_dicom_file_fails_its_check_instead_of_waiting()
    {
        await using var pipeline = await Pipeline.StartAsync(DatabaseProvider.Sqlite);
        var (_, onboarding) = await StartOnboardingAsync(pipeline);

        await pipeline.SubmitAsync(pipeline.Host.WriteFile("export.txt", "not an image"u8.ToArray()));

        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowInstances.SingleAsync(i => i.Id == onboarding))).State.ShouldBe("test-transfer-needs-fixes");
        (await pipeline.Host.InDatabaseAsync(db => db.WorkflowJobIntents.SingleAsync(i => i.InstanceId == onboarding && i.Job == "verify-deidentification")))
            .Outcome.ShouldNotBeNull().ShouldContain("No DICOM file");
    }

    /// <summary>UCH back to invited, with its onboarding workflow waiting for the test transfer.</summary>
    private static async Task<(Guid Site, Guid Onboarding)> StartOnboardingAsync(Pipeline pipeline)
    {
        var uch = await pipeline.SiteIdAsync("UCH");
        await pipeline.Host.InDatabaseAsync(db => db.Sites.Where(s => s.Id == uch).ExecuteUpdateAsync(s => s.SetProperty(x => x.Stage, SiteStage.Invited)));
        var onboarding = await pipeline.InScopeAsync(async sp =>
        {
            var runtime = sp.GetRequiredService<WorkflowRuntime>();
            var instance = await runtime.StartAsync(new StartRequest(WorkflowSubmissionEvents.OnboardingWorkflow, uch, uch, Actor.System), CancellationToken.None);
            (await runtime.FireAsync(new FireRequest(instance.Id, "record-signed-agreement", new Actor(pipeline.ManagerEmail, true, new HashSet<Guid>()), "dua"), CancellationToken.None)).Outcome.ShouldBe(FireOutcome.Fired);
            (await runtime.FireAsync(new FireRequest(instance.Id, "confirm-coordinators", Actor.System, "coordinators") { Data = new Dictionary<string, string> { ["coordinators"] = "1" } }, CancellationToken.None)).Outcome.ShouldBe(FireOutcome.Fired);
            return instance.Id;
        });
        return (uch, onboarding);
    }

    private static async Task<ProblemDetails> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(expected, text);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
            return System.Text.Json.JsonSerializer.Deserialize<ProblemDetails>(text, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!;
        }
    }

    /// <summary>A copy of <paramref name="file"/> with a leak injected by pydicom (the curation tests' script).</summary>
    private static string Inject(string file, string kind) =>
        DicomEdits.Python(DicomEdits.Copy(file, kind), Path.Combine(AppContext.BaseDirectory, "Submissions", "inject_leaks.py"), file, DicomEdits.Copy(file, kind), kind);

    /// <summary>The intake host with UCH's coordinator and a program manager signed in.</summary>
    private sealed class Pipeline : IAsyncDisposable
    {
        private Pipeline(IntakeHost host, HttpClient uch, HttpClient coordinator, HttpClient manager, string coordinatorEmail, string managerEmail)
        {
            Host = host;
            Uch = uch;
            Coordinator = coordinator;
            Manager = manager;
            CoordinatorEmail = coordinatorEmail;
            ManagerEmail = managerEmail;
        }

        public IntakeHost Host { get; }

        /// <summary>UCH's machine, with its API token.</summary>
        public HttpClient Uch { get; }

        public HttpClient Coordinator { get; }

        public HttpClient Manager { get; }

        public string CoordinatorEmail { get; }

        public string ManagerEmail { get; }

        public static async Task<Pipeline> StartAsync(DatabaseProvider provider)
        {
            var host = await IntakeHost.StartAsync(provider);
            var uchId = await host.InDatabaseAsync(db => db.Sites.Where(s => s.Code == "UCH").Select(s => s.Id).SingleAsync());
            var coordinator = await (await SignInFlow.ClientWithRoleAsync(host.Factory, Role.SiteCoordinator, uchId)).SendingAntiforgeryTokenAsync();
            var manager = await (await SignInFlow.ClientWithRoleAsync(host.Factory, Role.ProgramManager)).SendingAntiforgeryTokenAsync();
            var emails = await host.InDatabaseAsync(db => db.People.Include(p => p.Roles).ToListAsync());
            return new Pipeline(host, host.Client(host.UchToken), coordinator, manager,
                emails.Single(p => p.Roles.Any(r => r.Role == Role.SiteCoordinator)).Email, emails.Single(p => p.Roles.Any(r => r.Role == Role.ProgramManager)).Email);
        }

        public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
        {
            await using var scope = Host.Factory.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider);
        }

        public Task<Guid> SiteIdAsync(string code) => Host.InDatabaseAsync(db => db.Sites.Where(s => s.Code == code).Select(s => s.Id).SingleAsync());

        /// <summary>Sends the files as a new submission, completes it and runs every job that follows.</summary>
        public Task<Guid> SubmitAsync(params string[] files) => Host.SubmitAsync(Uch, null, files);

        public async Task CompleteAsync(Guid id)
        {
            using var response = await Uch.PostAsync($"/api/submissions/{id}/complete", null);
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
            await Host.RunAllJobsAsync();
        }

        public async Task<SubmissionReport> ReportAsync(HttpClient client, Guid id)
        {
            using var response = await client.GetAsync($"/api/submissions/{id}/report");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            return (await response.Content.ReadFromJsonAsync<SubmissionReport>())!;
        }

        /// <summary>Runs every job intent of the submission's workflow again, as a retrying Hangfire would.</summary>
        public async Task RerunAllWorkflowJobsAsync(Guid id)
        {
            var intents = await Host.InDatabaseAsync(db => db.WorkflowJobIntents.Where(i => i.Instance!.SubjectId == id).Select(i => i.Id).ToListAsync());
            foreach (var intent in intents)
            {
                await Host.InDatabaseAsync(async db =>
                {
                    await db.WorkflowJobIntents.Where(i => i.Id == intent).ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, WorkflowJobStatus.Pending));
                    return 0;
                });
                await using var scope = Host.Factory.Services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<WorkflowJobRunner>().RunAsync(intent, CancellationToken.None);
            }
        }

        /// <summary>
        /// Completes the submission (its indexing job is lost), then indexes it in a process that dies right after the
        /// index is committed, before the workflow hears of the round.
        /// </summary>
        public async Task CompleteAndCrashAfterIndexingAsync(Guid id)
        {
            await InScopeAsync(async sp =>
            {
                var site = await sp.GetRequiredService<MidrcDbContext>().Sites.SingleAsync(s => s.Code == "UCH");
                var intake = ActivatorUtilities.CreateInstance<SubmissionIntake>(sp, new LostJobs());
                await intake.CompleteAsync(await intake.FindAsync(site, id, CancellationToken.None), CoordinatorEmail, CancellationToken.None);
                return 0;
            });
            await InScopeAsync(async sp =>
            {
                var indexer = ActivatorUtilities.CreateInstance<SubmissionIndexer>(sp, new DyingEvents());
                await Should.ThrowAsync<ProcessDiedException>(() => indexer.IndexAsync(id, CancellationToken.None));
                return 0;
            });
        }

        /// <summary>Runs the recurring resume job, as Hangfire would every few minutes, and every job it enqueues.</summary>
        public async Task ResumeAsync()
        {
            await InScopeAsync(async sp =>
            {
                await sp.GetRequiredService<SubmissionIndexer>().ResumePendingAsync(CancellationToken.None);
                return 0;
            });
            await Host.RunAllJobsAsync();
        }

        public async Task RunIndexerAsync(Guid id)
        {
            await using var scope = Host.Factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SubmissionIndexer>().IndexAsync(id, CancellationToken.None);
        }

        /// <summary>What a duplicate run must not change: journal, findings, verdicts, quarantine states and emails.</summary>
        public Task<string> SnapshotAsync(Guid id) => Host.InDatabaseAsync(async db => string.Join("\n",
            await db.WorkflowJournal.CountAsync(j => j.Instance!.SubjectId == id),
            string.Join(",", await db.Findings.Where(f => f.SubmissionId == id).OrderBy(f => f.Id).Select(f => f.Rule + ":" + f.Status).ToListAsync()),
            string.Join(",", await db.DeidentificationReports.Where(r => r.Instance!.SubmissionId == id).OrderBy(r => r.InstanceId).Select(r => r.Outcome.ToString()).ToListAsync()),
            string.Join(",", await db.Instances.Where(i => i.SubmissionId == id).OrderBy(i => i.Id).Select(i => i.QuarantineState.ToString()).ToListAsync()),
            await db.Outbox.CountAsync(),
            await db.Instances.CountAsync(),
            await db.Findings.CountAsync()));

        public async ValueTask DisposeAsync()
        {
            Uch.Dispose();
            Coordinator.Dispose();
            Manager.Dispose();
            await Host.DisposeAsync();
        }
    }

    /// <summary>A job queue that loses what it is given (a crash between commit and enqueue, or the in-memory queue of a restart).</summary>
    private sealed class LostJobs : Hangfire.IBackgroundJobClient
    {
        public string Create(Hangfire.Common.Job job, Hangfire.States.IState state) => $"lost-{Guid.NewGuid():N}";

        public bool ChangeState(string jobId, Hangfire.States.IState state, string expectedState) => false;
    }

    /// <summary>The process dies as the indexer goes to tell the workflow.</summary>
    private sealed class DyingEvents : ISubmissionEvents
    {
        public Task ReceivedAsync(Guid submissionId, CancellationToken cancellationToken) => throw new ProcessDiedException();

        public Task ResubmittedAsync(Guid submissionId, int round, CancellationToken cancellationToken) => throw new ProcessDiedException();

        public Task<IReadOnlyList<Guid>> UnreportedAsync(IReadOnlyCollection<Guid> submissionIds, CancellationToken cancellationToken) => throw new ProcessDiedException();
    }

    private sealed class ProcessDiedException() : Exception("The process died before the workflow heard of the indexed round.");
}
