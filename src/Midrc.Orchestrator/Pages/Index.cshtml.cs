using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Pages;

/// <summary>
/// Home: the program at a glance for program managers; a coordinator goes to their site's page (or picks
/// one, when they coordinate several).
/// </summary>
public sealed class IndexModel(ProgramProgress progress, MidrcDbContext db, TimeProvider clock) : PageModel
{
    /// <summary>The dashboard's columns, by the key used in <c>?sort=</c>.</summary>
    public static readonly IReadOnlyList<(string Key, string Title, Func<SiteProgress, IComparable> Value)> Columns =
    [
        ("site", "Site", s => s.Code),
        ("stage", "Stage", s => s.Stage),
        ("time", "In stage", s => s.StageSince),
        ("requested", "Requested", s => s.Requested),
        ("received", "Received", s => s.Received),
        ("passed", "Passed QA", s => s.PassedQa),
        ("verified", "Verified", s => s.Verified),
        ("published", "Published", s => s.Published),
        ("target", "Of target", s => s.PercentOfTarget),
        ("findings", "Findings", s => s.OpenFindings),
        ("overdue", "Overdue", s => s.OverdueRequests),
    ];

    [BindProperty(SupportsGet = true)]
    public string Sort { get; set; } = "site";

    [BindProperty(SupportsGet = true)]
    public bool Desc { get; set; }

    [BindProperty(SupportsGet = true)]
    public SiteStage? Stage { get; set; }

    public ProgramOverview Overview { get; private set; } = new([], []);

    public IReadOnlyList<SiteProgress> Rows { get; private set; } = [];

    public IReadOnlyList<Site> MySites { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    /// <summary>The funnel and the cumulative series, for the charts' script.</summary>
    public string ChartData { get; private set; } = "{}";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        if (!User.IsProgramManager())
        {
            MySites = await db.Sites.AsNoTracking().VisibleTo(User).OrderBy(s => s.Code).ToListAsync(cancellationToken);
            return MySites.Count == 1 ? LocalRedirect($"/sites/{Uri.EscapeDataString(MySites[0].Code)}") : Page();
        }

        Overview = await progress.OverviewAsync(User, cancellationToken);
        var column = Columns.FirstOrDefault(c => c.Key == Sort);
        if (column.Key is null)
        {
            Sort = "site";
            column = Columns[0];
        }
        var filtered = Overview.Sites.Where(s => Stage is null || s.Stage == Stage);
        Rows = [.. Desc ? filtered.OrderByDescending(column.Value) : filtered.OrderBy(column.Value)];
        ChartData = JsonSerializer.Serialize(new
        {
            funnel = new
            {
                labels = new[] { "Requested", "Received", "Passed QA", "Verified", "Published" },
                values = new[] { Overview.Total(s => s.Requested), Overview.Total(s => s.Received), Overview.Total(s => s.PassedQa), Overview.Total(s => s.Verified), Overview.Total(s => s.Published) },
            },
            cumulative = new
            {
                days = Overview.Cumulative.Select(p => p.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
                received = Overview.Cumulative.Select(p => p.Received),
                published = Overview.Cumulative.Select(p => p.Published),
            },
        });
        return Page();
    }

    /// <summary>The link that sorts by <paramref name="key"/>: ascending first, descending when already sorted ascending by it.</summary>
    public string SortLink(string key) =>
        $"?sort={key}&desc={(Sort == key && !Desc).ToString().ToLowerInvariant()}{(Stage is { } stage ? $"&stage={stage}" : "")}";

    public string AriaSort(string key) => Sort != key ? "none" : Desc ? "descending" : "ascending";
}
