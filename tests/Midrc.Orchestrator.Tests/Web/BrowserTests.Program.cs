using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// Running the program in Chromium: inviting a site and moving it along, sending a data request and acknowledging it,
/// API tokens and the upload page, the outbox, the audit log and notification preferences.
/// </summary>
public sealed partial class BrowserTests
{
    private const string PydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    [Fact]
    public async Task A_program_manager_invites_a_site_sees_it_on_the_dashboard_and_moves_it_on_from_its_page_by_keyboard()
    {
        var page = await SignInAsync("pm@midrc.example");
        await page.GetByRole(AriaRole.Link, new() { Name = "Invite a site" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite the site" }).ClickAsync();
        await Assertions.Expect(page.Locator("#code-error")).ToContainTextAsync("Give the site a code");
        await Assertions.Expect(page.Locator("#zone-error")).ToContainTextAsync("Give the site's time zone");
        await ShootAsync(page, "10-invite-errors");
        await ExpectEveryFieldLabelledAsync(page);

        await page.GetByLabel("Site code").FillAsync("UCH");
        await page.GetByLabel("Site name").FillAsync("Westside Chest Institute");
        await page.GetByLabel("Institution").FillAsync("Westside Health");
        await page.GetByLabel("Country (two letters)").FillAsync("IE");
        await page.GetByLabel("Time zone").FillAsync("Europe/Dublin");
        await page.GetByLabel("Target exams").FillAsync("400");
        await page.GetByLabel("Coordinator's name").FillAsync("Aoife Byrne");
        await page.GetByLabel("Coordinator's email").FillAsync("not an address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite the site" }).ClickAsync();
        await Assertions.Expect(page.Locator("#code-error")).ToContainTextAsync("already used by Lakeside University Medical Center");
        await Assertions.Expect(page.Locator("#coordinator-email-error")).ToContainTextAsync("not one email address");
        await page.GetByLabel("Site code").FillAsync("WCI");
        await page.GetByLabel("Coordinator's email").FillAsync("aoife.byrne@wci.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Invite the site" }).ClickAsync();

        await page.WaitForURLAsync(url => url.EndsWith("/sites/WCI", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The invitation email to aoife.byrne@wci.example is in the outbox");
        await Assertions.Expect(page.Locator("pre.mermaid svg")).ToBeVisibleAsync();
        var timeline = page.Locator("ol.timeline > li");
        await Assertions.Expect(timeline).ToHaveCountAsync(1);
        await ShootAsync(page, "11-site-invited");

        // The main action is reached from the top of the page with the keyboard alone, and fired with Enter.
        await page.Locator("body").FocusAsync();
        var reached = false;
        for (var presses = 0; presses < 25 && !reached; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached = await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()") == "Record signed data use agreement";
        }
        reached.ShouldBeTrue("Tab reaches the site's main action");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Data use agreement signed");
        await Assertions.Expect(timeline).ToHaveCountAsync(2);
        await Assertions.Expect(timeline.First).ToContainTextAsync("Data use agreement signed");
        await Assertions.Expect(timeline.First).ToContainTextAsync("Dana Whitfield");
        await Assertions.Expect(page.Locator("details.more", new() { HasTextString = "not possible for you now" }).First).ToBeVisibleAsync();
        await ShootAsync(page, "12-site-after-action");

        await page.GotoAsync(host.BaseAddress.AbsoluteUri);
        await Assertions.Expect(page.Locator("table.data tbody th .code", new() { HasTextString = "WCI" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_program_manager_sends_a_data_request_and_the_coordinator_acknowledges_it_on_their_page()
    {
        var pm = await SignInAsync("pm@midrc.example");
        await pm.GotoAsync(new Uri(host.BaseAddress, "/sites/TOR").AbsoluteUri);
        await pm.GetByRole(AriaRole.Link, new() { Name = "Send a data request" }).ClickAsync();
        await ExpectEveryFieldLabelledAsync(pm);
        await pm.GetByLabel("Title").FillAsync("Chest CT follow-up 2027");
        await pm.GetByLabel("CT ·").CheckAsync();
        await pm.GetByLabel("Number of exams").FillAsync("150");
        await pm.GetByLabel("Due date").FillAsync(DateTime.UtcNow.AddDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await pm.GetByLabel("Inclusion criteria").FillAsync("age ≥ 18; COVID-19 confirmed by RT-PCR");
        await ShootAsync(pm, "13-data-request-form");
        await pm.GetByRole(AriaRole.Button, new() { Name = "Send the request" }).ClickAsync();
        await Assertions.Expect(pm.GetByRole(AriaRole.Status)).ToContainTextAsync("is sent to TOR");
        var requestId = Regex.Match(pm.Url, "#request-(.+)$").Groups[1].Value;
        requestId.ShouldNotBeEmpty();

        var coordinator = await SignInAsync("coordinator@tor.example");
        var row = coordinator.Locator($"#request-{requestId}");
        await Assertions.Expect(row).ToContainTextAsync("Chest CT follow-up 2027");
        await Assertions.Expect(row).ToContainTextAsync("Due");
        await ShootAsync(coordinator, "14-coordinator-request");
        await coordinator.Locator($"#request-{requestId} + tr.row-actions").GetByRole(AriaRole.Button, new() { Name = "Acknowledge request" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByRole(AriaRole.Status)).ToContainTextAsync("Request acknowledged by the site");
        await Assertions.Expect(coordinator.Locator($"#request-{requestId}")).ToContainTextAsync("Acknowledged");
        await Assertions.Expect(coordinator.Locator("ol.timeline > li").First).ToContainTextAsync("Olivia Tremblay");
    }

    [Fact]
    public async Task A_coordinator_creates_a_token_and_uploads_files_and_a_clinical_csv_from_the_upload_page()
    {
        var page = await SignInAsync("coordinator@sgp.example");
        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await page.GetByLabel("Where it will be used").FillAsync("PACS gateway");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var token = await page.Locator("#issued-token").InputValueAsync();
        token.ShouldStartWith("midrc_sgp_");
        await Assertions.Expect(page.Locator("table.data tbody tr", new() { HasTextString = "PACS gateway" })).ToContainTextAsync("never");
        await ShootAsync(page, "15-token-created");
        await page.GotoAsync(page.Url);
        (await page.ContentAsync()).ShouldNotContain(token, customMessage: "the token is shown only once");

        await page.GotoAsync(new Uri(host.BaseAddress, "/sites/SGP/upload").AbsoluteUri);
        await UploadAsync(page, [Path.Combine(PydicomFiles, "CT_small.dcm"), Path.Combine(PydicomFiles, "MR_small.dcm")], "Received 2 files and 1 clinical CSV",
            new FilePayload { Name = "case.csv", MimeType = "text/csv", Buffer = "case_id,sex\nSGP-0001,Female\n"u8.ToArray() });
        await ShootAsync(page, "16-upload-sent");
        await CompleteSubmissionAsync(page);

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var submission = await db.Submissions.Where(s => s.Site!.Code == "SGP").OrderByDescending(s => s.StartedAt).FirstAsync();
        submission.SubmittedBy.ShouldBe("coordinator@sgp.example");
        (await db.ReceivedFiles.CountAsync(f => f.SubmissionId == submission.Id)).ShouldBe(3);
    }

    [Fact]
    public async Task The_outbox_page_resends_a_failed_message_and_shows_the_mail_the_demo_wrote()
    {
        var failed = await AddFailedMessageAsync();
        var page = await SignInAsync("pm@midrc.example");
        await page.GetByRole(AriaRole.Link, new() { Name = "Outbox" }).ClickAsync();
        await page.GetByLabel("Status").SelectOptionAsync("Failed");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var row = page.Locator("table.data tbody tr", new() { HasTextString = failed.Subject });
        await Assertions.Expect(row).ToContainTextAsync("550 5.1.1 mailbox unavailable");
        await ShootAsync(page, "17-outbox-failed");
        await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Resend") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("is queued again");
        await Assertions.Expect(page.Locator("table.data tbody tr", new() { HasTextString = failed.Subject })).ToHaveCountAsync(0);

        await page.GotoAsync(new Uri(host.BaseAddress, "/outbox").AbsoluteUri);
        await page.Locator("#pickup-heading + p + .table-wrap a").First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Text" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("pre.mail-text")).ToContainTextAsync("/sign-in/");
        (await page.Locator("iframe.mail-html").GetAttributeAsync("sandbox")).ShouldBe("");
        await ShootAsync(page, "18-pickup-mail");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("Action").SelectOptionAsync("outbox.resend");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("table.data tbody tr")).ToContainTextAsync("pm@midrc.example");
        await ExpectEveryFieldLabelledAsync(page);
        await ShootAsync(page, "19-audit-log");
    }

    [Fact]
    public async Task A_coordinator_chooses_a_daily_digest_in_their_time_zone()
    {
        var page = await SignInAsync("coordinator@osl.example");
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Europe/Oslo").First).ToBeVisibleAsync();
        await page.GetByLabel("One daily digest at 07:00").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("one digest each morning");
        (await page.GetByLabel("One daily digest at 07:00").IsCheckedAsync()).ShouldBeTrue();
        await ExpectEveryFieldLabelledAsync(page);
        await ShootAsync(page, "20-notifications");
    }

    private async Task<OutboxMessage> AddFailedMessageAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var message = new OutboxMessage
        {
            IdempotencyKey = $"browser-test:{Guid.NewGuid():N}",
            ToAddress = "nobody@uch.example",
            ToName = "Nobody",
            Subject = $"Reminder that bounced {Guid.NewGuid():N}"[..36],
            TextBody = "Hello",
            HtmlBody = "<p>Hello</p>",
            Template = "stage-reminder",
            Status = OutboxStatus.Failed,
            Attempts = 8,
            LastError = "550 5.1.1 mailbox unavailable",
            CreatedAt = DateTimeOffset.UtcNow,
            NextAttemptAt = DateTimeOffset.UtcNow,
        };
        db.Outbox.Add(message);
        await db.SaveChangesAsync();
        return message;
    }

    private static async Task ExpectEveryFieldLabelledAsync(IPage page)
    {
        var unlabelled = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter(e => !e.labels || e.labels.length === 0).map(e => e.id || e.name)");
        unlabelled.ShouldBeEmpty($"every field on {page.Url} has a label");
    }
}
