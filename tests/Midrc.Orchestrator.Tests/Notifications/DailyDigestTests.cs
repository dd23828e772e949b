using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Notifications;

public sealed class DailyDigestTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_digest_groups_the_days_messages_for_one_person_and_goes_out_once_when_the_job_runs_twice(DatabaseProvider provider)
    {
        await using var smtp = await LoopbackSmtpServer.StartAsync();
        await using var host = NotificationsHost.Start(provider, smtp.Port);
        // 14:00 UTC on 24 November is 09:00 in New York; the digest is due at 07:00 there, 12:00 UTC on the 25th.
        var grace = await host.AddPersonAsync("Grace Manager", "grace@midrc.example.org", "America/New_York", EmailPreference.DailyDigest);
        var ada = await host.AddPersonAsync("Ada Coordinator", "ada@ruh.example.org");
        await host.EnqueueAsync(grace, "escalation:1:grace", model: NotificationsHost.SampleModel("First Site"));
        host.Clock.Advance(TimeSpan.FromHours(5));
        await host.EnqueueAsync(grace, "escalation:2:grace", model: NotificationsHost.SampleModel("Second Site"));
        await host.EnqueueAsync(ada, "request:3:ada");

        (await host.SendDueAsync()).ShouldBe(1, "only the immediate person's email goes out now");
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 11, 59, 0, TimeSpan.Zero));
        (await host.WriteDigestsAsync()).ShouldBe(0, "06:59 in New York");
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var runs = await Task.WhenAll(host.WriteDigestsAsync(), host.WriteDigestsAsync());
        (await host.WriteDigestsAsync()).ShouldBe(0);
        await Task.WhenAll(host.SendDueAsync(), host.SendDueAsync());

        runs.Sum().ShouldBe(1);
        var digest = smtp.Received.Where(m => m.EnvelopeTo.Contains("grace@midrc.example.org")).ShouldHaveSingleItem();
        digest.Message.Subject.ShouldBe("MIDRC daily digest: 2 emails");
        digest.Message.To.Mailboxes.Single().Name.ShouldBe("Grace Manager");
        digest.Text.ShouldContain("Data request for First Site: Chest X-rays 2026");
        digest.Text.ShouldContain("Data request for Second Site: Chest X-rays 2026");
        digest.Text.IndexOf("First Site", StringComparison.Ordinal).ShouldBeLessThan(digest.Text.IndexOf("Second Site", StringComparison.Ordinal));
        digest.Text.ShouldContain("Tuesday 24 November 2026, 09:00 (America/New_York)");
        digest.Html.ShouldContain("Data request for Second Site");

        var outbox = await host.OutboxAsync();
        var sentDigest = outbox.Single(m => m.Template == DailyDigest.TemplateName);
        sentDigest.IdempotencyKey.ShouldBe($"digest:{grace.Id}:2026-11-25");
        sentDigest.Status.ShouldBe(OutboxStatus.Sent);
        outbox.Where(m => m.ToAddress == grace.Email && m.Template != DailyDigest.TemplateName)
            .ShouldAllBe(m => m.Status == OutboxStatus.Digested && m.DigestId == sentDigest.Id);
    }

    [Fact]
    public async Task A_message_held_after_seven_waits_for_the_next_days_digest()
    {
        await using var host = NotificationsHost.Start(DatabaseProvider.Sqlite, smtpPort: null);
        var grace = await host.AddPersonAsync("Grace", "grace@midrc.example.org", "Europe/Paris", EmailPreference.DailyDigest);
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 5, 0, 0, TimeSpan.Zero));
        await host.EnqueueAsync(grace, "a");
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 25, 6, 30, 0, TimeSpan.Zero));
        await host.EnqueueAsync(grace, "b");

        (await host.WriteDigestsAsync()).ShouldBe(1, "07:30 in Paris: the 25th's digest carries the message of 06:00");
        host.Clock.SetUtcNow(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
        (await host.WriteDigestsAsync()).ShouldBe(1, "07:00 in Paris on the 26th");

        var digests = (await host.OutboxAsync()).Where(m => m.Template == DailyDigest.TemplateName).ToList();
        digests.Select(d => d.IdempotencyKey).ShouldBe([$"digest:{grace.Id}:2026-11-25", $"digest:{grace.Id}:2026-11-26"]);
        digests.ShouldAllBe(d => d.Subject == "MIDRC daily digest: 1 email");
    }

    [Theory]
    [InlineData("Asia/Tokyo", "2026-11-24T22:30:00Z", "2026-11-25", "2026-11-24T22:00:00Z")]
    [InlineData("America/Los_Angeles", "2026-11-24T14:59:00Z", "2026-11-23", "2026-11-23T15:00:00Z")]
    [InlineData("Not/AZone", "2026-11-24T07:00:00Z", "2026-11-24", "2026-11-24T07:00:00Z")]
    public void The_digest_is_due_at_seven_in_the_persons_own_time_zone(string zone, string now, string day, string cutoff)
    {
        var person = new Person { Email = "p@example.org", DisplayName = "P", TimeZone = zone };

        var (key, due) = DailyDigest.DueDigest(person, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        key.ShouldBe($"digest:{person.Id}:{day}");
        due.ShouldBe(DateTimeOffset.Parse(cutoff, System.Globalization.CultureInfo.InvariantCulture));
    }
}
