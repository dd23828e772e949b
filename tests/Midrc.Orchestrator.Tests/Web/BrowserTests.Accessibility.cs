using System.Text.Json;
using Microsoft.Playwright;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// Every page a person uses, checked in Chromium with axe-core (from npm at build time) against WCAG 2.1 A and AA:
/// labels and names, colour contrast, landmarks, headings, ARIA. A violation fails the test with what and where.
/// </summary>
public sealed partial class BrowserTests
{
    private static readonly string AxeScript = Path.Combine(AppContext.BaseDirectory, "axe", "axe.min.js");

    [Fact]
    public async Task Every_page_meets_WCAG_2_1_AA_as_axe_core_checks_it_for_managers_coordinators_and_visitors()
    {
        var violations = new List<string>();
        var visitor = await NewPageAsync();
        await visitor.GotoAsync(host.BaseAddress.AbsoluteUri);
        violations.AddRange(await AxeAsync(visitor, "sign-in"));

        var manager = await SignInAsync("admin@midrc.example");
        foreach (var path in new[] { "/", "/sites/UCH", "/sites/SAO", "/sites/MUC", "/invitations/new", "/sites/TOR/requests/new", "/audit", "/outbox", "/releases", "/releases/1", "/me/notifications" })
        {
            await manager.GotoAsync(new Uri(host.BaseAddress, path).AbsoluteUri);
            violations.AddRange(await AxeAsync(manager, path));
        }
        await manager.GotoAsync(new Uri(host.BaseAddress, "/sites/MUC").AbsoluteUri);
        await manager.Locator("a[href$='/report']").First.ClickAsync();
        violations.AddRange(await AxeAsync(manager, "submission report"));

        var coordinator = await SignInAsync("coordinator@muc.example");
        foreach (var path in new[] { "/sites/MUC", "/sites/MUC/upload", "/sites/MUC/tokens", "/sites/UCH" })
        {
            await coordinator.GotoAsync(new Uri(host.BaseAddress, path).AbsoluteUri);
            violations.AddRange(await AxeAsync(coordinator, path + " (coordinator)"));
        }

        violations.ShouldBeEmpty();
    }

    /// <summary>Runs axe-core on the page once its scripts (charts, diagrams) have drawn; one line per violation and element.</summary>
    private static async Task<IEnumerable<string>> AxeAsync(IPage page, string name)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))" +
            ".violations.map(v => ({ id: v.id, help: v.help, targets: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary.replace(/\\s+/g, ' ')) }))");
        return json.EnumerateArray().SelectMany(v => v.GetProperty("targets").EnumerateArray()
            .Select(t => $"{name}: {v.GetProperty("id").GetString()} ({v.GetProperty("help").GetString()}) at {t.GetString()}"));
    }
}
