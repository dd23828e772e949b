using System.Net.Http.Json;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;

namespace Midrc.Orchestrator.Tests.Notifications;

/// <summary>The sender job against a real SMTP server on loopback, on each real database.</summary>
public sealed class OutboxSenderTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_message_arrives_with_its_headers_recipient_both_bodies_and_absolute_links(DatabaseProvider provider)
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        await using var host = NotificationsHost.Start(provider, smtp.Port);
        var ada = await host.AddPersonAsync("Ada Coordinator", "ada@ruh.example.org", "America/Chicago");

        var message = await host.EnqueueAsync(ada, "request:42:ada");
        var sent = await host.SendDueAsync();

        sent.ShouldBe(1);
        var mail = smtp.Received.ShouldHaveSingleItem();
        mail.EnvelopeTo.ShouldBe(["ada@ruh.example.org"]);
        mail.EnvelopeFrom.ShouldBe("noreply@midrc.example.org");
        var from = mail.Message.From.Mailboxes.ShouldHaveSingleItem();
        (from.Name, from.Address).ShouldBe(("MIDRC Orchestrator", "noreply@midrc.example.org"));
        var to = mail.Message.To.Mailboxes.ShouldHaveSingleItem();
        (to.Name, to.Address).ShouldBe(("Ada Coordinator", "ada@ruh.example.org"));
        mail.Message.Subject.ShouldBe("Data request for Riverside University Hospital: Chest X-rays 2026");
        mail.Message.MessageId.ShouldBe(EmailMessages.MessageId("request:42:ada", "midrc.example.org"));
        mail.Message.Headers[EmailMessages.IdHeader].ShouldBe(message.Id.ToString());
        mail.Message.Body.ShouldNotBeNull().ContentType.MimeType.ShouldBe("multipart/alternative");

        const string link = NotificationsHost.PublicUrl + "/requests/42";
        Uri.IsWellFormedUriString(link, UriKind.Absolute).ShouldBeTrue();
        mail.Text.ShouldContain("Dear Ada Coordinator,");
        mail.Text.ShouldContain($"Answer the request: {link}");
        mail.Text.ShouldContain("Due date: Friday 4 December 2026, 17:00 (America/Chicago)", customMessage: "the deadline is in the recipient's time zone");
        mail.Html.ShouldContain($"<a href=\"{link}\"");
        mail.Html.ShouldContain($"href=\"{NotificationsHost.PublicUrl}/me/notifications\"");

        var stored = (await host.OutboxAsync()).ShouldHaveSingleItem();
        stored.Status.ShouldBe(OutboxStatus.Sent);
        stored.SentAt.ShouldBe(host.Clock.GetUtcNow());
        stored.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Committing_a_message_asks_the_sender_to_run_at_once()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        var storage = host.App.Services.GetRequiredService<JobStorage>();
        var before = storage.GetMonitoringApi().EnqueuedCount("default");

        await host.EnqueueAsync(ada, "request:1:ada");

        storage.GetMonitoringApi().EnqueuedCount("default").ShouldBe(before + 1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task The_sender_running_twice_at_once_and_again_sends_each_message_once(DatabaseProvider provider)
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        await using var host = NotificationsHost.Start(provider, smtp.Port);
        var people = new List<Person>();
        for (var i = 0; i < 5; i++)
        {
            people.Add(await host.AddPersonAsync($"Person {i}", $"p{i}@site.example.org"));
        }
        foreach (var person in people)
        {
            await host.EnqueueAsync(person, $"request:7:{person.Email}");
        }

        var runs = await Task.WhenAll(host.SendDueAsync(), host.SendDueAsync(), host.SendDueAsync());
        var again = await host.SendDueAsync();

        runs.Sum().ShouldBe(5);
        again.ShouldBe(0);
        smtp.Received.Select(m => m.EnvelopeTo.Single()).Order().ShouldBe(people.Select(p => p.Email).Order());
        (await host.OutboxAsync()).ShouldAllBe(m => m.Status == OutboxStatus.Sent && m.Attempts == 1);
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task When_the_server_is_down_the_message_is_retried_later_and_sent_once(DatabaseProvider provider)
    {
        await using var smtp = LoopbackSmtpServer.Down();
        await using var host = NotificationsHost.Start(provider, smtp.Port);
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        await host.EnqueueAsync(ada, "request:42:ada");

        (await host.SendDueAsync()).ShouldBe(0);
        var waiting = (await host.OutboxAsync()).ShouldHaveSingleItem();
        waiting.Status.ShouldBe(OutboxStatus.Pending);
        waiting.Attempts.ShouldBe(1);
        waiting.LastError.ShouldNotBeNull().ShouldContain($"Cannot reach the SMTP server 127.0.0.1:{smtp.Port}");
        waiting.NextAttemptAt.ShouldBe(host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        await smtp.StartAsync();
        (await host.SendDueAsync()).ShouldBe(0, "not due before its back-off has passed");
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        (await host.SendDueAsync()).ShouldBe(1);
        host.Clock.Advance(TimeSpan.FromHours(1));
        (await host.SendDueAsync()).ShouldBe(0);

        smtp.Received.ShouldHaveSingleItem().EnvelopeTo.ShouldBe(["ada@ruh.example.org"]);
        var sent = (await host.OutboxAsync()).ShouldHaveSingleItem();
        (sent.Status, sent.Attempts, sent.LastError).ShouldBe((OutboxStatus.Sent, 2, null));
    }

    [Fact]
    public async Task Retries_back_off_exponentially_and_the_last_failure_is_kept_with_its_reason()
    {
        await using var smtp = LoopbackSmtpServer.Down();
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtp.Port, new Dictionary<string, string?> { ["Midrc:Smtp:MaxAttempts"] = "3" });
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        await host.EnqueueAsync(ada, "request:42:ada");

        var waits = new List<TimeSpan>();
        for (var run = 0; run < 3; run++)
        {
            await host.SendDueAsync();
            var message = (await host.OutboxAsync()).Single();
            waits.Add(message.NextAttemptAt - host.Clock.GetUtcNow());
            host.Clock.Advance(waits[^1]);
        }

        waits.ShouldBe([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)]);
        var failed = (await host.OutboxAsync()).Single();
        (failed.Status, failed.Attempts).ShouldBe((OutboxStatus.Failed, 3));
        failed.LastError.ShouldNotBeNull().ShouldContain("Cannot reach the SMTP server");
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.SendDueAsync();
        (await host.OutboxAsync()).Single().Attempts.ShouldBe(3, "a failed message waits for a program manager");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_rejected_recipient_fails_with_the_servers_reason_and_is_not_retried(DatabaseProvider provider)
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        smtp.Reject("gone@ruh.example.org", "5.1.1 <gone@ruh.example.org>: Recipient address rejected: User unknown");
        await using var host = NotificationsHost.Start(provider, smtp.Port);
        var gone = await host.AddPersonAsync("Gone", "gone@ruh.example.org");
        var ada = await host.AddPersonAsync("Ada", "ada@ruh.example.org");
        await host.EnqueueAsync(gone, "request:42:gone");
        await host.EnqueueAsync(ada, "request:42:ada");

        (await host.SendDueAsync()).ShouldBe(1);
        host.Clock.Advance(TimeSpan.FromDays(1));
        (await host.SendDueAsync()).ShouldBe(0);

        smtp.Received.ShouldHaveSingleItem().EnvelopeTo.ShouldBe(["ada@ruh.example.org"], "the session goes on after a refused recipient");
        var failed = (await host.OutboxAsync()).Single(m => m.ToAddress == "gone@ruh.example.org");
        (failed.Status, failed.Attempts).ShouldBe((OutboxStatus.Failed, 1));
        failed.LastError.ShouldNotBeNull().ShouldStartWith("550 5.1.1 <gone@ruh.example.org>: Recipient address rejected: User unknown");
    }

    [Fact]
    public async Task Header_injection_through_site_and_person_names_is_impossible()
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtp.Port);
        const string evilName = "Mallory \"The Boss\", Jr.\r\nBcc: attacker@evil.example";
        const string evilSite = "Evil Site\r\nBcc: attacker@evil.example\r\nX-Injected: yes";
        var mallory = await host.AddPersonAsync(evilName, "mallory@ruh.example.org");
        var smuggler = await host.AddPersonAsync("Smuggler", "smuggler@ruh.example.org\r\nBcc: attacker@evil.example");
        await host.EnqueueAsync(mallory, "request:1:mallory", model: NotificationsHost.SampleModel(evilSite));
        await host.EnqueueAsync(smuggler, "request:1:smuggler");

        (await host.SendDueAsync()).ShouldBe(1);

        var mail = smtp.Received.ShouldHaveSingleItem();
        mail.EnvelopeTo.ShouldBe(["mallory@ruh.example.org"]);
        var headerBlock = mail.Raw[..mail.Raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        headerBlock.Split("\r\n").ShouldNotContain(line => line.StartsWith("Bcc:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("X-Injected", StringComparison.OrdinalIgnoreCase));
        mail.Message.Bcc.ShouldBeEmpty();
        mail.Message.Headers.Contains("X-Injected").ShouldBeFalse();
        var to = mail.Message.To.Mailboxes.ShouldHaveSingleItem();
        to.Address.ShouldBe("mallory@ruh.example.org");
        to.Name.ShouldBe("Mallory \"The Boss\", Jr. Bcc: attacker@evil.example");
        mail.Message.Subject.ShouldBe("Data request for Evil Site Bcc: attacker@evil.example X-Injected: yes: Chest X-rays 2026");

        var refused = (await host.OutboxAsync()).Single(m => m.ToAddress.StartsWith("smuggler", StringComparison.Ordinal));
        refused.Status.ShouldBe(OutboxStatus.Failed);
        refused.LastError.ShouldNotBeNull().ShouldContain("is not one email address");
    }

    [Fact]
    public async Task With_no_smtp_host_the_pickup_folder_gets_a_valid_eml_file_listed_by_the_api()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        var ada = await host.AddPersonAsync("Ada Coordinator", "ada@ruh.example.org");
        var message = await host.EnqueueAsync(ada, "request:42:ada");

        (await host.SendDueAsync()).ShouldBe(1);
        (await host.SendDueAsync()).ShouldBe(0);

        var file = Directory.GetFiles(Path.Combine(host.DataFolder, "mail-pickup")).ShouldHaveSingleItem();
        file.ShouldEndWith(".eml");
        using var eml = await MimeMessage.LoadAsync(file);
        eml.To.Mailboxes.ShouldHaveSingleItem().Address.ShouldBe("ada@ruh.example.org");
        eml.Subject.ShouldBe(message.Subject);
        eml.TextBody.ShouldNotBeNull().ShouldContain(NotificationsHost.PublicUrl + "/requests/42");
        eml.HtmlBody.ShouldNotBeNull().ShouldContain(NotificationsHost.PublicUrl + "/requests/42");

        using var client = await SignInFlow.ClientWithRoleAsync(host.App, Role.ProgramManager);
        var listed = await client.GetFromJsonAsync<List<PickupFile>>(new Uri("/api/outbox/pickup", UriKind.Relative));
        var entry = listed.ShouldNotBeNull().ShouldHaveSingleItem();
        (entry.Name, entry.Subject).ShouldBe((Path.GetFileName(file), message.Subject));
        var download = await client.GetAsync(new Uri($"/api/outbox/pickup/{entry.Name}", UriKind.Relative));
        download.Content.Headers.ContentType!.MediaType.ShouldBe("message/rfc822");
    }
}
