using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Submissions;
using Midrc.Orchestrator.Tests.Web;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Workflows;

/// <summary>
/// One site through the whole program on the shipped workflow definitions, through the pages and APIs people and site
/// tools use: invited, onboarded by its test transfer, asked for data (whose reminder and escalation run on a fake clock,
/// in business days of the site's time zone), its exams submitted, checked, accepted and published in a release.
/// </summary>
public sealed class SiteLifeTests
{
    private const string Site = "RUH";
    private const string CoordinatorEmail = "dana.ruiz@riverside.example";

    // The site is invited, onboarded and sent its request on Monday 2 March 2026, 09:00 in Chicago (CST). The reminder is
    // due five business days later, Monday 9 March at 09:00 in Chicago, which is CDT by then (daylight saving starts on
    // 8 March): 14:00 UTC, not 15:00. The response is due ten business days later, Monday 16 March, 14:00 UTC.
    private static readonly DateTimeOffset RequestSent = WorkflowTestHost.Monday;
    private static readonly DateTimeOffset ReminderDue = new(2026, 3, 9, 14, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ResponseDue = new(2026, 3, 16, 14, 0, 0, TimeSpan.Zero);

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_site_is_invited_onboarded_asked_for_data_reminded_escalated_and_published(DatabaseProvider provider)
    {
        var clock = new FakeTimeProvider(RequestSent);
        await using var host = await IntakeHost.StartAsync(provider, clock: clock);
        using var life = new SiteLife(host);
        var pm = await life.ProgramManagerAsync();

        // Invitation: a program manager fills in the invitation page; onboarding starts and emails the coordinator.
        using (var invited = await SignInFlow.PostFormAsync(await life.SignInAsync(pm), "/invitations/new", new Dictionary<string, string>
        {
            ["Input.Code"] = Site,
            ["Input.Name"] = "Riverside University Hospital",
            ["Input.Institution"] = "Riverside University",
            ["Input.Country"] = "US",
            ["Input.TimeZone"] = "America/Chicago",
            ["Input.TargetExams"] = "500",
            ["Input.CoordinatorName"] = "Dana Ruiz",
            ["Input.CoordinatorEmail"] = CoordinatorEmail,
        }))
        {
            invited.StatusCode.ShouldBe(HttpStatusCode.Redirect, await invited.Content.ReadAsStringAsync());
            invited.Headers.Location!.OriginalString.ShouldBe(SitePaths.Site(Site));
        }
        var siteId = await host.InDatabaseAsync(db => db.Sites.Where(s => s.Code == Site).Select(s => s.Id).SingleAsync());
        var onboarding = await life.InstanceOfAsync("site-onboarding", siteId);
        await life.ShouldBeAsync(onboarding, "invited");
        (await life.StageAsync(siteId)).ShouldBe(SiteStage.Invited);
        (await life.EmailsAsync("site-invitation")).ShouldBe([CoordinatorEmail]);

        // Registration: the program manager records the signed agreement; the coordinator confirms the registration.
        await life.FireAsync(await life.SignInAsync(pm), onboarding, "record-signed-agreement", "dua-signed");
        (await life.StageAsync(siteId)).ShouldBe(SiteStage.Onboarding);
        (await life.EmailsAsync("registration-requested")).ShouldBe([CoordinatorEmail]);
        await life.FireAsync(await life.SignInAsync(CoordinatorEmail), onboarding, "confirm-coordinators", "coordinators-registered");
        (await life.EmailsAsync("test-transfer-requested")).ShouldBe([CoordinatorEmail]);

        // Test transfer: the site's tool sends one patient with the site's token; both checks pass and the site is active.
        using var gateway = host.Client(await life.CreateTokenAsync());
        var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = Site, ChestSize = 256 });
        await host.SubmitAsync(gateway, null, writer.WriteChestRadiograph(Path.Combine(host.FilesFolder, "test-transfer"), 1).Files[0]);
        await life.ShouldBeAsync(onboarding, "active");
        (await life.StageAsync(siteId)).ShouldBe(SiteStage.Active);
        (await life.EmailsAsync("site-activated")).ShouldBe([CoordinatorEmail]);

        // Data request: the program manager fills in the request page; the coordinator is emailed and the clocks start.
        using (var sent = await SignInFlow.PostFormAsync(await life.SignInAsync(pm), $"/sites/{Site}/requests/new", new Dictionary<string, string>
        {
            ["Input.Title"] = "Chest radiographs 2026",
            ["Input.Modalities"] = "DX",
            ["Input.RequestedExams"] = "3",
            ["Input.InclusionCriteria"] = "Age ≥ 18; COVID-19 confirmed by RT-PCR.",
            ["Input.DueDate"] = "2026-06-30",
        }))
        {
            sent.StatusCode.ShouldBe(HttpStatusCode.Redirect, await sent.Content.ReadAsStringAsync());
        }
        var requestId = await host.InDatabaseAsync(db => db.Solicitations.Where(s => s.SiteId == siteId).Select(s => s.Id).SingleAsync());
        var solicitation = await life.InstanceOfAsync("data-solicitation", requestId);
        var request = await life.ShouldBeAsync(solicitation, "sent");
        (await life.RequestStatusAsync(requestId)).ShouldBe(SolicitationStatus.Sent);
        (await life.EmailsAsync("data-request")).ShouldBe([CoordinatorEmail]);
        request.Timers.Where(t => t.Status == "Pending").Select(t => (t.Trigger, t.DueAt)).ShouldBe([("remind-site", ReminderDue), ("escalate", ResponseDue)]);

        // The reminder: nothing before its time, once at its time, never again.
        clock.SetUtcNow(ReminderDue.AddMinutes(-1));
        (await life.RunTimersAsync()).ShouldBe(0);
        (await life.EmailsAsync("stage-reminder")).ShouldBeEmpty();
        clock.SetUtcNow(ReminderDue);
        (await life.RunTimersAsync()).ShouldBe(1);
        (await life.EmailsAsync("stage-reminder")).ShouldBe([CoordinatorEmail]);
        (await life.RunTimersAsync()).ShouldBe(0, "a timer fires once");
        clock.Advance(TimeSpan.FromDays(1));
        (await life.RunTimersAsync()).ShouldBe(0);
        (await life.EmailsAsync("stage-reminder")).ShouldBe([CoordinatorEmail]);
        (await life.EmailsAsync("escalation")).ShouldBeEmpty("the response is due a week later");

        // The escalation at the response deadline: once, to the program manager; the request still waits for its answer.
        clock.SetUtcNow(ResponseDue);
        (await life.RunTimersAsync()).ShouldBe(1);
        (await life.EmailsAsync("escalation")).ShouldBe([pm]);
        clock.Advance(TimeSpan.FromDays(14));
        (await life.RunTimersAsync()).ShouldBe(0, "nothing is left to fire");
        (await life.RunTimersAsync()).ShouldBe(0);
        (await life.EmailsAsync("stage-reminder")).ShouldBe([CoordinatorEmail]);
        (await life.EmailsAsync("escalation")).ShouldBe([pm]);
        var journal = (await life.ShouldBeAsync(solicitation, "sent")).Journal.Select(j => j.Trigger).ToList();
        journal.Count(t => t == "remind-site").ShouldBe(1);
        journal.Count(t => t == "escalate").ShouldBe(1);

        // The coordinator acknowledges; the site sends two exams, which leave the request in progress, then the third.
        await life.FireAsync(await life.SignInAsync(CoordinatorEmail), solicitation, "acknowledge", "acknowledged");
        (await life.RequestStatusAsync(requestId)).ShouldBe(SolicitationStatus.Acknowledged);
        var files = new[] { 2, 3, 4 }.Select(p => writer.WriteChestRadiograph(Path.Combine(host.FilesFolder, $"p{p}"), p).Files[0]).ToArray();
        var first = await host.SubmitAsync(gateway, new { solicitationId = requestId }, files[..2]);
        await life.ShouldBeAsync(await life.InstanceOfAsync("submission", first), "accepted");
        (await IntakeHost.GetAsync(gateway, first)).Status.ShouldBe(nameof(SubmissionStatus.Accepted));
        (await host.InDatabaseAsync(db => db.Instances.Where(i => i.SubmissionId == first).Select(i => i.QuarantineState).ToListAsync()))
            .ShouldBe([QuarantineState.Verified, QuarantineState.Verified]);
        (await life.EmailsAsync("submission-accepted")).ShouldBe([CoordinatorEmail]);
        await life.ShouldBeAsync(solicitation, "collecting");
        (await life.RequestStatusAsync(requestId)).ShouldBe(SolicitationStatus.InProgress);

        var second = await host.SubmitAsync(gateway, new { solicitationId = requestId }, files[2]);
        await life.ShouldBeAsync(await life.InstanceOfAsync("submission", second), "accepted");
        (await life.EmailsAsync("submission-accepted")).ShouldBe([CoordinatorEmail, CoordinatorEmail]);
        var answered = await life.ShouldBeAsync(solicitation, "fulfilled");
        answered.Journal.Select(j => j.Trigger).Where(t => t.StartsWith("batch-", StringComparison.Ordinal)).ShouldBe(["batch-received", "batch-reviewed", "batch-received", "batch-reviewed"]);
        answered.Data["exams-accepted"].ShouldBe("3");
        (await life.RequestStatusAsync(requestId)).ShouldBe(SolicitationStatus.Fulfilled);

        // The release: frozen by the program manager, built and verified by its jobs, approved, published.
        var manager = await life.SignInAsync(pm);
        (await manager.PostAsync("/api/releases/current/freeze", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await host.RunAllJobsAsync();
        var release = (await manager.GetFromJsonAsync<List<InstanceSummary>>("/api/workflows/instances?definition=release"))!.ShouldHaveSingleItem();
        release.State.ShouldBe("verified");
        await life.FireAsync(manager, release.Id, "approve", "publishing");
        await host.RunAllJobsAsync();
        await life.ShouldBeAsync(release.Id, "published");
        var published = await host.InDatabaseAsync(db => db.Releases.SingleAsync(r => r.Id == release.SubjectId));
        published.State.ShouldBe(ReleaseState.Published);
        (await manager.GetFromJsonAsync<ReleaseDetail>($"/api/releases/{published.Number}"))!.Sites.ShouldHaveSingleItem().ShouldBe(new SiteCount(Site, 3, 3));
        var manifest = await manager.GetStringAsync($"/api/releases/{published.Number}/manifest");
        var objects = manifest.Split('\n').Where(l => l.StartsWith("objects/", StringComparison.Ordinal)).Select(l => l.Split('\t')[3]).ToList();
        objects.ShouldBe(files.Select(f => IntakeHost.Sha256(File.ReadAllBytes(f))), ignoreOrder: true);
        (await host.InDatabaseAsync(db => db.Outbox.Select(m => m.Template + " to " + m.ToAddress).ToListAsync())).ShouldBe(
        [
            $"site-invitation to {CoordinatorEmail}", $"registration-requested to {CoordinatorEmail}", $"test-transfer-requested to {CoordinatorEmail}",
            $"site-activated to {CoordinatorEmail}", $"data-request to {CoordinatorEmail}", $"stage-reminder to {CoordinatorEmail}", $"escalation to {pm}",
            $"submission-accepted to {CoordinatorEmail}", $"submission-accepted to {CoordinatorEmail}", $"{ReleaseNotifier.PublishedTemplate} to {CoordinatorEmail}", $"{ReleaseNotifier.SummaryTemplate} to {pm}",
        ], ignoreOrder: true, "each step emails once, the right person");
    }

    /// <summary>The test's view of the program: its people signing in on the fake clock, workflows over the API, the outbox.</summary>
    private sealed class SiteLife(IntakeHost host) : IDisposable
    {
        private readonly List<HttpClient> clients = [];
        private string programManager = "";

        /// <summary>A program manager, known to the program before the site is invited; their email.</summary>
        public async Task<string> ProgramManagerAsync()
        {
            clients.Add(await SignInFlow.ClientWithRoleAsync(host.Factory, Role.ProgramManager));
            programManager = await host.InDatabaseAsync(db => db.People.Where(p => p.Roles.Any(r => r.Role == Role.ProgramManager)).Select(p => p.Email).SingleAsync());
            return programManager;
        }

        /// <summary>An API token for the site's gateway, as a coordinator creates one on the site's tokens page.</summary>
        public async Task<string> CreateTokenAsync()
        {
            await using var scope = host.Factory.Services.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(Site, "gateway", CoordinatorEmail, CancellationToken.None)).Token;
        }

        /// <summary>A fresh sign-in: a session lasts hours, and the clock moves days.</summary>
        public async Task<HttpClient> SignInAsync(string email)
        {
            var client = await (await SignInFlow.ClientForAsync(host.Factory, email)).SendingAntiforgeryTokenAsync();
            clients.Add(client);
            return client;
        }

        public Task<Guid> InstanceOfAsync(string definition, Guid subject) =>
            host.InDatabaseAsync(db => db.WorkflowInstances.Where(i => i.DefinitionId == definition && i.SubjectId == subject).Select(i => i.Id).SingleAsync());

        /// <summary>The instance as a program manager sees it on the API, in <paramref name="state"/>.</summary>
        public async Task<InstanceDetail> ShouldBeAsync(Guid instance, string state)
        {
            var detail = (await (await SignInAsync(programManager)).GetFromJsonAsync<InstanceDetail>($"/api/workflows/instances/{instance}"))!;
            detail.Instance.State.ShouldBe(state);
            return detail;
        }

        /// <summary>Fires <paramref name="trigger"/> as the signed-in <paramref name="client"/> would press its button.</summary>
        public async Task FireAsync(HttpClient client, Guid instance, string trigger, string expectedState)
        {
            using var response = await client.PostAsJsonAsync($"/api/workflows/instances/{instance}/fire", new FireBody(trigger));
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            (await response.Content.ReadFromJsonAsync<FireResponse>())!.State.ShouldBe(expectedState);
            await host.RunAllJobsAsync();
        }

        /// <summary>One run of the <c>fire-due-timers</c> job, as Hangfire runs it every minute.</summary>
        public async Task<int> RunTimersAsync()
        {
            await using var scope = host.Factory.Services.CreateAsyncScope();
            var fired = await scope.ServiceProvider.GetRequiredService<WorkflowTimerJob>().RunAsync(CancellationToken.None);
            await host.RunAllJobsAsync();
            return fired;
        }

        /// <summary>The recipients of the outbox's emails of <paramref name="template"/>, oldest first.</summary>
        public Task<List<string>> EmailsAsync(string template) =>
            host.InDatabaseAsync(db => db.Outbox.Where(m => m.Template == template).OrderBy(m => m.CreatedAt).Select(m => m.ToAddress).ToListAsync());

        public Task<SiteStage> StageAsync(Guid site) => host.InDatabaseAsync(db => db.Sites.Where(s => s.Id == site).Select(s => s.Stage).SingleAsync());

        public Task<SolicitationStatus> RequestStatusAsync(Guid request) =>
            host.InDatabaseAsync(db => db.Solicitations.Where(s => s.Id == request).Select(s => s.Status).SingleAsync());

        public void Dispose()
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
