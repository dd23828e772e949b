using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Notifications;

/// <summary>The notification pages and the workflow emails, on the real host: preferences, resending, links and dates.</summary>
public sealed class NotificationPagesTests
{
    [Fact]
    public async Task A_preference_saved_on_the_page_is_audited_and_holds_the_persons_email_for_their_digest()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        var ada = await host.AddPersonAsync("Ada Coordinator", "ada@ruh.example.org", "Asia/Kolkata");
        using var client = await SignInFlow.ClientForAsync(host.App, ada.Email);

        var page = await client.GetStringAsync(new Uri("/me/notifications", UriKind.Relative));
        var saved = await SignInFlow.PostFormAsync(client, "/me/notifications", new Dictionary<string, string> { ["Preference"] = nameof(EmailPreference.DailyDigest) });
        var person = await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().People.SingleAsync(p => p.Email == ada.Email));
        var held = await host.EnqueueAsync(person, "request:7:ada");
        // 14:00 UTC is 19:30 in Kolkata; the next 07:00 there is 01:30 UTC on the 25th.
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 1, 30, 0, TimeSpan.Zero));
        var digests = await host.WriteDigestsAsync();

        page.ShouldContain("Asia/Kolkata");
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        person.EmailPreference.ShouldBe(EmailPreference.DailyDigest);
        held.Status.ShouldBe(OutboxStatus.Digested);
        digests.ShouldBe(1);
        var audit = await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().AuditEvents.SingleAsync(a => a.Action == "person.email-preference"));
        (audit.Actor, audit.EntityId).ShouldBe((ada.Email, ada.Id.ToString()));
        audit.Details.ShouldContain("DailyDigest");
    }

    [Fact]
    public async Task The_outbox_page_resends_a_failed_message_with_its_antiforgery_token_and_audits_it()
    {
        await using var smtp = LoopbackSmtpServer.Down();
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtp.Port, new Dictionary<string, string?> { ["Midrc:Smtp:MaxAttempts"] = "1" });
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        var message = await host.EnqueueAsync(ada, "request:42:ada");
        await host.SendDueAsync();
        using var pm = await SignInFlow.ClientWithRoleAsync(host.App, Role.ProgramManager);

        var listed = await pm.GetStringAsync(new Uri("/outbox?status=Failed", UriKind.Relative));
        var withoutToken = await pm.PostAsync(new Uri($"/outbox?handler=Resend&id={message.Id}", UriKind.Relative), new FormUrlEncodedContent([]));
        var resent = await SignInFlow.PostFormAsync(pm, "/outbox?status=Failed", action: $"/outbox?handler=Resend&id={message.Id}");
        var after = await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().Outbox.SingleAsync(m => m.Id == message.Id));

        listed.ShouldContain("Cannot reach the SMTP server");
        withoutToken.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        resent.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        after.Status.ShouldBe(OutboxStatus.Pending);
        var audit = await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().AuditEvents.SingleAsync(a => a.Action == "outbox.resend"));
        audit.EntityId.ShouldBe(message.Id.ToString());
        audit.Details.ShouldContain("Cannot reach the SMTP server");
    }

    [Fact]
    public async Task A_data_request_email_links_to_the_request_on_the_site_page_and_shows_the_due_date_in_the_recipients_zone()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null, new Dictionary<string, string?> { ["Midrc:SeedDemo"] = "true" });
        var (site, request) = await host.InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<MidrcDbContext>();
            var uch = await db.Sites.SingleAsync(x => x.Code == "UCH");
            var sent = await s.GetRequiredService<DataRequests>().SendAsync(uch, new DataRequestForm
            {
                Title = "Chest CT 2027",
                Modalities = ["CT", "CR"],
                RequestedExams = 120,
                InclusionCriteria = "age ≥ 18",
                DueDate = new DateOnly(2027, 1, 15),
            }, new Actor("pm@midrc.example", IsProgramManager: true, new HashSet<Guid>()), CancellationToken.None);
            return (uch, sent);
        });

        var email = (await host.OutboxAsync()).Single(m => m.Template == "data-request" && m.ToAddress == "coordinator@uch.example");

        email.Subject.ShouldContain("Chest CT 2027");
        email.TextBody.ShouldContain($"{NotificationsHost.PublicUrl}{SitePaths.Request(site.Code, request.Id)}");
        email.TextBody.ShouldContain("Modalities: CR, CT");
        email.TextBody.ShouldContain("Number of exams: 120");
        // 23:59 on 15 January in Chicago (the site), shown to a coordinator whose zone is Chicago too.
        email.TextBody.ShouldContain("Due date: Friday 15 January 2027, 23:59 (America/Chicago)");
        email.HtmlBody.ShouldContain($"{NotificationsHost.PublicUrl}{SitePaths.Request(site.Code, request.Id)}");
    }

    [Fact]
    public async Task A_template_naming_an_unknown_field_stops_the_host_with_the_file_and_field()
    {
        using var folder = new TempFolder();
        var workflows = Path.Combine(folder.Path, "workflows");
        CopyFolder(Midrc.Workflows.Loading.WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)!, workflows);
        var body = Path.Combine(workflows, "templates", "site-invitation", "body.txt.liquid");
        File.WriteAllText(body, File.ReadAllText(body).Replace("{{ site.code }}", "{{ site.postcode }}", StringComparison.Ordinal));

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string> { ["Midrc__Workflows__Folder"] = workflows }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain($"{body}:3:");
        outcome.Error.ShouldContain("Unknown template field 'site.postcode'");
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
