using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Web;

namespace Midrc.Orchestrator.Tests.Notifications;

public sealed class OutboxApiTests
{
    [Fact]
    public async Task A_failed_message_is_listed_and_resent_with_an_audit_record()
    {
        await using var smtp = LoopbackSmtpServer.Down();
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtp.Port, new Dictionary<string, string?> { ["Midrc:Smtp:MaxAttempts"] = "1" });
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        var message = await host.EnqueueAsync(ada, "request:42:ada");
        await host.SendDueAsync();
        using var client = await (await SignInFlow.ClientWithRoleAsync(host.App, Role.ProgramManager)).SendingAntiforgeryTokenAsync();

        var failed = await client.GetFromJsonAsync<List<OutboxMessageSummary>>(new Uri("/api/outbox?status=failed", UriKind.Relative));
        var pending = await client.GetFromJsonAsync<List<OutboxMessageSummary>>(new Uri("/api/outbox?status=pending", UriKind.Relative));
        await smtp.StartAsync();
        var resend = await client.PostAsync(new Uri($"/api/outbox/{message.Id}/resend", UriKind.Relative), null);
        var again = await client.PostAsync(new Uri($"/api/outbox/{message.Id}/resend", UriKind.Relative), null);
        var sent = await host.SendDueAsync();

        var listed = failed.ShouldNotBeNull().ShouldHaveSingleItem();
        (listed.Id, listed.Status, listed.Attempts).ShouldBe((message.Id, "Failed", 1));
        listed.LastError.ShouldNotBeNull().ShouldContain("Cannot reach the SMTP server");
        pending.ShouldNotBeNull().ShouldBeEmpty();
        resend.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict, "a message already queued again is not resent twice");
        sent.ShouldBe(1);
        smtp.Received.ShouldHaveSingleItem();
        var audit = await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().AuditEvents.SingleAsync(a => a.Action == "outbox.resend"));
        (audit.Action, audit.EntityId).ShouldBe(("outbox.resend", message.Id.ToString()));
        audit.Details.ShouldContain("Cannot reach the SMTP server");
    }

    [Fact]
    public async Task Unknown_status_or_message_is_answered_plainly()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        using var client = await (await SignInFlow.ClientWithRoleAsync(host.App, Role.ProgramManager)).SendingAntiforgeryTokenAsync();

        var badStatus = await client.GetAsync(new Uri("/api/outbox?status=lost", UriKind.Relative));
        var missing = await client.PostAsync(new Uri($"/api/outbox/{Guid.NewGuid()}/resend", UriKind.Relative), null);

        badStatus.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await badStatus.Content.ReadAsStringAsync()).ShouldContain("'lost' is not a status");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_resend_posted_with_the_program_managers_cookie_but_without_the_antiforgery_token_is_refused()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        var message = await host.EnqueueAsync(ada, "request:43:ada");
        await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().Outbox.Where(m => m.Id == message.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, OutboxStatus.Failed)));
        using var client = await SignInFlow.ClientWithRoleAsync(host.App, Role.ProgramManager);

        // What a page on another site can make the browser send: the cookie, a simple form body, no token.
        var crossSite = await client.PostAsync(new Uri($"/api/outbox/{message.Id}/resend", UriKind.Relative), new FormUrlEncodedContent([]));

        crossSite.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await crossSite.Content.ReadAsStringAsync()).ShouldContain("antiforgery token");
        (await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().Outbox.SingleAsync(m => m.Id == message.Id))).Status.ShouldBe(OutboxStatus.Failed);
        (await host.InScopeAsync(s => s.GetRequiredService<MidrcDbContext>().AuditEvents.CountAsync(a => a.Action == "outbox.resend"))).ShouldBe(0);
    }

    [Fact]
    public async Task The_outbox_api_is_for_program_managers_and_admins_only()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        using var anonymous = host.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var coordinator = await SignInFlow.ClientWithRoleAsync(host.App, Role.SiteCoordinator);
        using var admin = await SignInFlow.ClientWithRoleAsync(host.App, Role.Admin);

        foreach (var path in new[] { "/api/outbox?status=failed", "/api/outbox/pickup" })
        {
            (await anonymous.GetAsync(new Uri(path, UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await coordinator.GetAsync(new Uri(path, UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await admin.GetAsync(new Uri(path, UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }
}
