using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Submissions;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// The fix loop and publication in Chromium: a coordinator uploads a file the checks object to and asks for a waiver on
/// the report page, a program manager watches the site's open findings and grants it; a program manager reviews the
/// open release (fed by a site's gateway through the API), keeps an exam out of it with a reason and puts it on hold.
/// </summary>
public sealed partial class BrowserTests
{
    private const string BodyPartRule = "qa.body-part-not-requested";

    /// <summary>The demo's other program manager: sign-in links are limited per address, and the other tests sign the first one in.</summary>
    private const string SecondManager = "pm2@midrc.example";

    [Fact]
    public async Task A_coordinator_uploads_a_file_the_checks_object_to_and_a_program_manager_grants_the_waiver_the_coordinator_asks_for()
    {
        using var files = new TempFolder();
        var head = DicomEdits.WithBodyPart(ChestRadiograph(files, "UCH"), "HEAD");
        var pm = await SignInAsync(SecondManager);
        await pm.GotoAsync(new Uri(host.BaseAddress, "/sites/UCH").AbsoluteUri);
        var openFindings = pm.Locator(".stat", new() { Has = pm.GetByText("Open findings", new() { Exact = true }) }).Locator(".stat-value");
        var before = int.Parse(await openFindings.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);

        var coordinator = await SignInAsync("coordinator@uch.example");
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "Upload files" }).First.ClickAsync();
        await UploadAsync(coordinator, [head], "Received 1 file.");
        await CompleteSubmissionAsync(coordinator);
        await host.RunJobsAsync();
        await coordinator.GetByRole(AriaRole.Link, new() { Name = "open the submission's report" }).ClickAsync();
        var rule = coordinator.Locator("article.submission", new() { Has = coordinator.Locator($"code:text-is('{BodyPartRule}')") });
        await Assertions.Expect(rule).ToContainTextAsync("Error");
        await Assertions.Expect(rule.Locator("p.hint")).ToContainTextAsync("How to fix it:");
        await Assertions.Expect(rule.Locator("table.findings tbody tr")).ToContainTextAsync(Path.GetFileName(head));
        await ExpectEveryFieldLabelledAsync(coordinator);
        await ShootAsync(coordinator, "21-report-findings");
        await rule.GetByLabel(new Regex("cannot be fixed")).FillAsync("Our modality labels every chest radiograph HEAD; the images are chest.");
        await rule.GetByRole(AriaRole.Button, new() { Name = "Request a waiver" }).ClickAsync();
        await Assertions.Expect(coordinator.GetByRole(AriaRole.Status)).ToBeVisibleAsync();
        await Assertions.Expect(rule).ToContainTextAsync("1 waiting for a waiver decision");
        var report = coordinator.Url;

        await pm.ReloadAsync();
        await Assertions.Expect(openFindings).Not.ToHaveTextAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(pm.Locator("table.findings tbody tr", new() { HasTextString = BodyPartRule }).First).ToBeVisibleAsync();
        await ShootAsync(pm, "22-site-with-new-finding");
        await pm.GotoAsync(report);
        var decision = pm.Locator("article.submission", new() { Has = pm.Locator($"code:text-is('{BodyPartRule}')") });
        await Assertions.Expect(decision).ToContainTextAsync("the images are chest");
        await ExpectEveryFieldLabelledAsync(pm);
        // The grant form is reached and sent with the keyboard alone.
        await decision.Locator("textarea[id^='Grant-']").FocusAsync();
        await pm.Keyboard.TypeAsync("Checked the images: they are chest radiographs.");
        await pm.Keyboard.PressAsync("Tab");
        (await pm.EvaluateAsync<string>("() => document.activeElement.textContent.trim()")).ShouldBe("Grant waiver");
        await pm.Keyboard.PressAsync("Enter");
        await Assertions.Expect(decision).ToContainTextAsync("1 waived");
        await Assertions.Expect(decision.GetByRole(AriaRole.Button, new() { Name = "Grant waiver" })).ToHaveCountAsync(0);
        await host.RunJobsAsync();
        await pm.ReloadAsync();
        await Assertions.Expect(pm.Locator(".page-head .badge")).ToHaveTextAsync("Accepted");
        await ShootAsync(pm, "23-report-waived");
    }

    [Fact]
    public async Task A_program_manager_keeps_an_exam_out_of_the_open_release_with_a_reason_and_puts_the_release_on_hold()
    {
        using var files = new TempFolder();
        await SubmitWithSiteTokenAsync("TOR", ChestRadiograph(files, "TOR"), ChestRadiograph(files, "TOR"));

        var pm = await SignInAsync(SecondManager);
        await pm.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Releases" }).ClickAsync();
        await Assertions.Expect(pm.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Releases");
        await Assertions.Expect(pm.Locator("table.data tbody tr", new() { HasTextString = "Release 1" })).ToContainTextAsync("Published");
        await Assertions.Expect(pm.Locator("#current-heading + p")).ToContainTextAsync("would go into it if it froze now");
        await ShootAsync(pm, "24-releases");
        await pm.Locator("#current-heading a").ClickAsync();

        var exams = pm.Locator("table.exams tbody tr", new() { HasTextString = "TOR-" });
        await Assertions.Expect(exams).ToHaveCountAsync(2);
        await Assertions.Expect(pm.Locator("#counts-heading + .table-wrap tbody tr", new() { HasTextString = "TOR" })).ToContainTextAsync("DX");
        await ExpectEveryFieldLabelledAsync(pm);
        await ShootAsync(pm, "25-release-open");
        var excluded = exams.First;
        var study = (await excluded.Locator("td.uid").InnerTextAsync()).Trim();
        await excluded.GetByText("Exclude").ClickAsync();
        await excluded.GetByRole(AriaRole.Button, new() { Name = "Keep out of this release" }).ClickAsync();
        (await excluded.GetByLabel("Why keep it out").EvaluateAsync<bool>("e => e.validity.valueMissing")).ShouldBeTrue("a reason is required");
        await excluded.GetByLabel("Why keep it out").FillAsync("Consent under review at TOR");
        await excluded.GetByRole(AriaRole.Button, new() { Name = "Keep out of this release" }).ClickAsync();
        await Assertions.Expect(pm.GetByRole(AriaRole.Status)).ToContainTextAsync("is kept out of this release");
        await Assertions.Expect(exams).ToHaveCountAsync(1);
        var exclusion = pm.Locator("#exclusions-heading + .table-wrap tbody tr", new() { HasTextString = study });
        await Assertions.Expect(exclusion).ToContainTextAsync("Consent under review at TOR");
        await Assertions.Expect(exclusion).ToContainTextAsync(SecondManager);

        await pm.GetByLabel("Note for the timeline (optional)").FillAsync("Waiting for the TOR consent review");
        await pm.GetByRole(AriaRole.Button, new() { Name = "Put release on hold" }).ClickAsync();
        await Assertions.Expect(pm.GetByRole(AriaRole.Status)).ToContainTextAsync("Release put on hold");
        await Assertions.Expect(pm.Locator(".page-head .badge")).ToHaveTextAsync("On hold");
        await Assertions.Expect(pm.GetByRole(AriaRole.Button, new() { Name = "Reopen release" })).ToBeVisibleAsync();
        await ShootAsync(pm, "26-release-held");
        await pm.GetByRole(AriaRole.Button, new() { Name = "Reopen release" }).ClickAsync();
        await Assertions.Expect(pm.Locator(".page-head .badge")).ToHaveTextAsync("Open");

        await pm.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Releases" }).ClickAsync();
        await pm.GetByRole(AriaRole.Link, new() { Name = "Release 1", Exact = true }).ClickAsync();
        await Assertions.Expect(pm.GetByRole(AriaRole.Link, new() { Name = "Download the manifest" })).ToBeVisibleAsync();
        await Assertions.Expect(pm.Locator("table.exams tbody tr").First).ToContainTextAsync("Added");
        await Assertions.Expect(pm.GetByRole(AriaRole.Button)).ToHaveCountAsync(1, new() { Timeout = 1000 });
        await ShootAsync(pm, "27-release-published");

        await pm.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await pm.GetByLabel("Action").SelectOptionAsync("release.exam-excluded");
        await pm.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(pm.Locator("table.data tbody tr").First).ToContainTextAsync(SecondManager);
    }

    /// <summary>
    /// Sends <paramref name="files"/> as one submission of <paramref name="site"/> through the upload API with a new API
    /// token of the site, as its command line tool would, and runs the checks; clean files end up accepted.
    /// </summary>
    private async Task SubmitWithSiteTokenAsync(string site, params string[] files)
    {
        IssuedToken token;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            token = await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(site, "browser test", SecondManager, CancellationToken.None);
        }
        using var client = host.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        var submission = await IntakeHost.CreateSubmissionAsync(client);
        foreach (var file in files)
        {
            (await IntakeHost.PutFileAsync(client, submission, file)).EnsureSuccessStatusCode();
        }
        (await client.PostAsync(new Uri($"/api/submissions/{submission}/complete", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await host.RunJobsAsync();
    }

    /// <summary>A new chest radiograph of a new patient of <paramref name="site"/>, generated through GDCM.</summary>
    private static string ChestRadiograph(TempFolder folder, string site) =>
        new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = site, ChestSize = 256 })
            .WriteChestRadiograph(Path.Combine(folder.Path, Guid.NewGuid().ToString("N")), Random.Shared.Next(100, 9999)).Files[0];

    /// <summary>On the upload page: chooses <paramref name="files"/>, presses Upload and waits until the page says <paramref name="received"/>.</summary>
    private static async Task UploadAsync(IPage page, string[] files, string received, FilePayload? csv = null)
    {
        await ExpectEveryFieldLabelledAsync(page);
        await page.GetByLabel("DICOM files or zip archives").SetInputFilesAsync(files);
        if (csv is not null)
        {
            await page.GetByLabel(csv.Name).SetInputFilesAsync(csv);
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#upload-status")).ToContainTextAsync(received, new() { Timeout = 60_000 });
        (await page.Locator("#upload-progress").GetAttributeAsync("value")).ShouldBe("100");
    }

    /// <summary>Completes the submission on the upload page; its checks are enqueued.</summary>
    private static async Task CompleteSubmissionAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Complete the submission" }).ClickAsync();
        await Assertions.Expect(page.Locator("#upload-status")).ToContainTextAsync("Complete.");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "open the submission's report" })).ToBeVisibleAsync();
    }
}
