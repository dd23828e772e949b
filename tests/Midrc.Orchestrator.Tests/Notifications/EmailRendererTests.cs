using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Notifications;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Tests.Notifications;

public sealed class EmailRendererTests
{
    private static readonly WorkflowLibrary Library = WorkflowLibrary.LoadFolder(WorkflowLibrary.FindFolderAbove(AppContext.BaseDirectory)!);

    private readonly EmailRenderer renderer = new(
        Options.Create(new MidrcOptions { PublicUrl = "https://midrc.example.org/" }),
        new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void Values_are_html_encoded_in_the_html_body_only()
    {
        var person = new Person { Email = "a@example.org", DisplayName = "Ada <b>Lovelace</b> & co", TimeZone = "Europe/London" };

        var email = renderer.Render(Library.FindTemplate("data-request")!, person, NotificationsHost.SampleModel("St <Mary's> & Co"));

        email.HtmlBody.ShouldContain("Dear Ada &lt;b&gt;Lovelace&lt;/b&gt; &amp; co,");
        email.HtmlBody.ShouldNotContain("<b>Lovelace</b>");
        email.TextBody.ShouldContain("Dear Ada <b>Lovelace</b> & co,");
        email.Subject.ShouldBe("Data request for St <Mary's> & Co: Chest X-rays 2026");
        email.TextBody.ShouldContain("Due date: Friday 4 December 2026, 23:00 (Europe/London)");
        email.TextBody.ShouldContain("Answer the request: https://midrc.example.org/requests/42");
    }

    [Fact]
    public void Workflow_dates_and_waiting_days_are_shown_to_the_recipient()
    {
        var person = new Person { Email = "a@example.org", DisplayName = "Ada", TimeZone = "Asia/Kolkata" };
        var model = NotificationsHost.SampleModel() with { Workflow = new EmailWorkflow("Site onboarding", "Data use agreement signed", new DateTimeOffset(2026, 11, 14, 11, 0, 0, TimeSpan.Zero)) };

        var email = renderer.Render(Library.FindTemplate("stage-reminder")!, person, model);

        email.TextBody.ShouldContain("has been at the step \"Data use agreement signed\" for 10 days, since Saturday 14 November 2026, 16:30 (Asia/Kolkata).");
    }

    [Theory]
    [InlineData(1, 1, "1 error must be fixed before the data can be accepted; 1 warning is for your information.")]
    [InlineData(36, 0, "36 errors must be fixed before the data can be accepted; 0 warnings are for your information.")]
    public void The_fixes_needed_email_counts_in_words_that_agree_with_the_count(int errors, int warnings, string sentence)
    {
        var person = new Person { Email = "a@example.org", DisplayName = "Ada", TimeZone = "Europe/London" };
        var model = NotificationsHost.SampleModel() with { Counts = new EmailCounts { Errors = errors, Warnings = warnings } };

        var email = renderer.Render(Library.FindTemplate("fixes-needed")!, person, model);

        email.TextBody.ShouldContain(sentence);
        email.HtmlBody.ShouldContain(sentence);
    }
}
