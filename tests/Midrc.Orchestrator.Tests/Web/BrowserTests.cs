using Microsoft.Playwright;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// The pages in Debian's Chromium: sign-in through the emailed link, the dashboard, a site's page, a coordinator's
/// home. Screenshots of each page are saved under the test output's <c>screenshots/</c> folder.
/// </summary>
[Collection(DemoHostCollection.Name)]
public sealed partial class BrowserTests(DemoHost host) : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
    private readonly List<TempFolder> profiles = [];
    private readonly List<IBrowserContext> browsers = [];
    private IPlaywright playwright = null!;

    public async Task InitializeAsync() => playwright = await Playwright.CreateAsync();

    [Fact]
    public async Task A_program_manager_signs_in_by_email_sees_every_site_and_opens_one()
    {
        var page = await SignInAsync("pm@midrc.example");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Program overview" })).ToBeVisibleAsync();
        // At least the demo's six sites (other tests may have invited more).
        await Assertions.Expect(page.Locator("table.data tbody tr").Nth(5)).ToBeVisibleAsync();
        foreach (var code in new[] { "UCH", "MUC", "SGP", "TOR", "SAO", "OSL" })
        {
            await Assertions.Expect(page.Locator("table.data tbody th .code", new() { HasTextString = code })).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("#funnel-chart")).ToBeVisibleAsync();
        (await page.EvaluateAsync<bool>("() => typeof Chart !== 'undefined' && Chart.getChart('funnel-chart') !== undefined")).ShouldBeTrue("the chart library is served and draws");
        await ShootAsync(page, "2-dashboard");
        await page.SetViewportSizeAsync(820, 1180);
        // Chart.js redraws for the new width on its next animation frame.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('canvas')].every(c => c.getBoundingClientRect().right <= innerWidth)");
        var wider = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.table-wrap')).map(e => e.tagName + '.' + e.className)");
        wider.ShouldBeEmpty("on a tablet only the sites table scrolls sideways, not the page");
        await ShootAsync(page, "2-dashboard-tablet");
        await page.SetViewportSizeAsync(1366, 900);

        await page.GetByRole(AriaRole.Link, new() { Name = "Findings" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Findings" }).ClickAsync();
        await Assertions.Expect(page.Locator("th[aria-sort=descending]")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Findings"));
        await Assertions.Expect(page.Locator("table.data tbody tr").First).ToContainTextAsync("MUC");

        await page.GetByRole(AriaRole.Link, new() { Name = "UCH Lakeside University Medical Center" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Lakeside University Medical Center");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Open data requests" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Maria Alvarez" })).ToBeVisibleAsync();
        await ShootAsync(page, "3-site-uch");

        await page.GotoAsync(new Uri(host.BaseAddress, "/sites/MUC").AbsoluteUri);
        await ShootAsync(page, "4-site-muc-as-manager");
    }

    [Fact]
    public async Task A_coordinator_sees_only_their_site_and_how_to_fix_its_findings()
    {
        var page = await SignInAsync("coordinator@muc.example");

        page.Url.ShouldEndWith("/sites/MUC");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Isar Valley Clinic");
        var finding = page.Locator("table.findings tbody tr", new() { HasTextString = "qa.count-mismatch" });
        await Assertions.Expect(finding).ToContainTextAsync("The site declared 30");
        await Assertions.Expect(finding).ToContainTextAsync("Check that the upload finished and nothing was skipped");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Jobs" })).ToHaveCountAsync(0);
        (await page.ContentAsync()).ShouldNotContain("Lakeside");
        await ShootAsync(page, "5-coordinator-home-muc");

        var other = await page.GotoAsync(new Uri(host.BaseAddress, "/sites/UCH").AbsoluteUri);
        other!.Status.ShouldBe(404);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await ShootAsync(page, "6-coordinator-other-site");
    }

    [Fact]
    public async Task The_keyboard_reaches_the_skip_link_first_and_every_field_has_a_label()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.BaseAddress.AbsoluteUri);

        await page.Keyboard.PressAsync("Tab");
        var focused = await page.EvaluateAsync<string>("() => document.activeElement.textContent.trim()");
        var unlabelled = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || e.labels.length === 0).length");

        focused.ShouldBe("Skip to content");
        unlabelled.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        foreach (var browser in browsers)
        {
            await browser.CloseAsync();
        }
        playwright.Dispose();
        foreach (var profile in profiles)
        {
            profile.Dispose();
        }
    }

    /// <summary>Signs in as <paramref name="email"/> in a fresh browser, as a person does: the form, then the link from the email.</summary>
    private async Task<IPage> SignInAsync(string email)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.BaseAddress.AbsoluteUri);
        page.Url.ShouldContain("/sign-in");
        await page.GetByLabel("Email address").FillAsync(email);
        await ShootAsync(page, "1-sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a sign-in link" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Check your email.")).ToBeVisibleAsync();
        await ShootAsync(page, "1-sign-in-sent");

        await page.GotoAsync(new Uri(host.BaseAddress, await host.TakeSignInLinkAsync(email)).AbsoluteUri);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
        return page;
    }

    /// <summary>A page in a new Chromium with a fresh profile.</summary>
    private async Task<IPage> NewPageAsync()
    {
        var profile = new TempFolder();
        profiles.Add(profile);
        var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        browsers.Add(browser);
        return browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
    }

    private static async Task ShootAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }
}
