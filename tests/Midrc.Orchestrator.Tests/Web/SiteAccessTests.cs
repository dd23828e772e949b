using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// Who may see what, on the demo program: a coordinator of MUC walks every endpoint the host maps (API routes and
/// pages, with every form handler of every page), aimed at UCH; an anonymous visitor walks them all too. New routes
/// and handlers are covered as soon as they are mapped.
/// </summary>
[Collection(DemoHostCollection.Name)]
public sealed partial class SiteAccessTests(DemoHost host)
{
    private static readonly HttpStatusCode[] Refused =
        [HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed];

    [Fact]
    public async Task A_coordinator_of_one_site_reaches_no_data_of_another_through_any_page_or_api()
    {
        using var muc = await host.SignInAsync("coordinator@muc.example");
        var (uch, uchSubmission) = await UchAsync();
        var values = new Dictionary<string, string>
        {
            ["code"] = uch.Code,
            ["id"] = uchSubmission.ToString(),
            ["token"] = "not-a-link",
            ["path"] = "",
            ["number"] = "1",
        };
        var secrets = new[] { uch.Name, uch.Id.ToString(), uchSubmission.ToString() };

        var visited = new Dictionary<string, HttpStatusCode>();
        foreach (var (method, path) in Endpoints(values, uch.Id.ToString()))
        {
            using var response = method == HttpMethods.Get
                ? await muc.GetAsync(new Uri(path, UriKind.Relative))
                : await muc.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = new FormUrlEncodedContent([]) });
            var body = await response.Content.ReadAsStringAsync();
            visited[$"{method} {(path.Length > 1 ? path.TrimEnd('/') : path)}"] = response.StatusCode;
            if (!Refused.Contains(response.StatusCode))
            {
                secrets.ShouldAllBe(secret => !body.Contains(secret, StringComparison.Ordinal), $"{method} {path} answered {(int)response.StatusCode} with UCH's data");
            }
        }

        visited.ShouldContainKeyAndValue("GET /sites/UCH", HttpStatusCode.NotFound);
        visited.ShouldContainKeyAndValue("GET /sites/UCH/tokens", HttpStatusCode.NotFound);
        visited.ShouldContainKeyAndValue("GET /sites/UCH/upload", HttpStatusCode.NotFound);
        visited.ShouldContainKeyAndValue("GET /sites/UCH/requests/new", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /invitations/new", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /audit", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /outbox", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /api/outbox", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /jobs", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue($"POST /api/outbox/{uchSubmission}/resend", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /releases", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /releases/1", HttpStatusCode.Forbidden);
        visited.Count.ShouldBeGreaterThanOrEqualTo(10, "every mapped endpoint is walked");
        var own = await muc.GetFromJsonAsync<List<SiteSummary>>(new Uri("/api/sites", UriKind.Relative));
        own.ShouldNotBeNull().ShouldHaveSingleItem().Code.ShouldBe("MUC");
        (await muc.GetAsync(new Uri("/", UriKind.Relative))).Headers.Location!.OriginalString.ShouldBe("/sites/MUC");
    }

    [Fact]
    public async Task A_program_manager_sees_every_site_and_the_jobs_dashboard()
    {
        using var pm = await host.SignInAsync("pm@midrc.example");

        var sites = await pm.GetFromJsonAsync<List<SiteSummary>>(new Uri("/api/sites", UriKind.Relative));
        var uch = await pm.GetAsync(new Uri("/sites/UCH", UriKind.Relative));
        var jobs = await pm.GetAsync(new Uri("/jobs", UriKind.Relative));

        new[] { "UCH", "MUC", "SGP", "TOR", "SAO", "OSL" }.ShouldAllBe(code => sites!.Any(s => s.Code == code));
        uch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await uch.Content.ReadAsStringAsync()).ShouldContain("Lakeside University Medical Center");
        jobs.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_coordinator_of_one_site_changes_nothing_of_another_through_any_form_even_with_a_valid_antiforgery_token()
    {
        using var muc = await host.SignInAsync("coordinator@muc.example");
        var (uch, uchSubmission) = await UchAsync();
        var (request, instance, token) = await UchRequestAndTokenAsync(uch);
        var antiforgery = await SignInFlow.AntiforgeryTokenAsync(muc, "/me/notifications");
        var values = new Dictionary<string, string> { ["code"] = uch.Code, ["id"] = uchSubmission.ToString(), ["token"] = "not-a-link", ["number"] = "2" };
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery,
            ["id"] = token.ToString(),
            ["instanceId"] = instance.ToString(),
            ["trigger"] = "close-request",
            ["key"] = "access-test",
            ["Name"] = "stolen",
            ["Input.Code"] = "EVIL",
        };
        var before = await CountChangesAsync();

        var visited = new Dictionary<string, HttpStatusCode>();
        foreach (var (path, handler) in PageForms(values, uch.Id.ToString()).Where(f => !OwnForms.Contains(f.Path)))
        {
            using var response = await muc.PostAsync(new Uri(handler is null ? path : $"{path}?handler={handler}", UriKind.Relative), new FormUrlEncodedContent(form));
            visited[$"POST {path} {handler}".Trim()] = response.StatusCode;
        }

        visited.ShouldNotBeEmpty();
        visited.ShouldAllBe(v => Refused.Contains(v.Value), string.Join(", ", visited.Where(v => !Refused.Contains(v.Value)).Select(v => $"{v.Key} answered {(int)v.Value}")));
        visited.ShouldContainKeyAndValue("POST /sites/UCH Fire", HttpStatusCode.NotFound);
        visited.ShouldContainKeyAndValue("POST /sites/UCH/tokens Revoke", HttpStatusCode.NotFound);
        visited.ShouldContainKeyAndValue("POST /outbox Resend", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("POST /releases/2 Fire", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("POST /releases/2 Exclude", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("POST /releases/2 Include", HttpStatusCode.Forbidden);
        (await CountChangesAsync()).ShouldBe(before, "no form aimed at UCH changed anything");
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        (await db.Solicitations.SingleAsync(s => s.Id == request)).Status.ShouldBe(SolicitationStatus.Sent);
        (await db.ApiTokens.SingleAsync(t => t.Id == token)).RevokedAt.ShouldBeNull();
    }

    [Fact]
    public async Task An_anonymous_visitor_is_sent_to_sign_in_from_every_page_and_refused_by_every_api_endpoint()
    {
        using var anonymous = host.NewClient();
        var (uch, uchSubmission) = await UchAsync();
        var values = new Dictionary<string, string> { ["code"] = uch.Code, ["id"] = uchSubmission.ToString(), ["token"] = "not-a-link", ["path"] = "", ["number"] = "2" };

        var requests = Endpoints(values, uch.Id.ToString())
            .Concat(PageForms(values, uch.Id.ToString()).Select(f => (Method: HttpMethods.Post, Path: f.Handler is null ? f.Path : $"{f.Path}?handler={f.Handler}")))
            .Where(r => !PublicPaths().IsMatch(r.Path))
            .Distinct()
            .ToList();
        var wrong = new List<string>();
        foreach (var (method, path) in requests)
        {
            var isApi = path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/dicomweb/", StringComparison.Ordinal);
            // A JSON body for the API, so that what answers is authentication, not the body's media type.
            using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative))
            {
                Content = isApi ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : new FormUrlEncodedContent([]),
            });
            var ok = isApi
                ? Refused.Contains(response.StatusCode)
                : response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/sign-in", StringComparison.Ordinal);
            if (!ok)
            {
                wrong.Add($"{method} {path} answered {(int)response.StatusCode} {response.Headers.Location}");
            }
        }

        requests.Count.ShouldBeGreaterThan(20);
        requests.ShouldContain((HttpMethods.Get, "/sites/UCH/tokens"));
        requests.ShouldContain((HttpMethods.Post, "/outbox?handler=Resend"));
        requests.ShouldContain((HttpMethods.Post, "/releases/2?handler=Exclude"));
        wrong.ShouldBeEmpty();
    }

    /// <summary>Forms a coordinator may post for themselves whatever site they coordinate.</summary>
    private static readonly HashSet<string> OwnForms = ["/me/notifications", "/sign-in", "/sign-in/not-a-link"];

    /// <summary>What anyone may reach without signing in; everything else sends a browser to sign in, and refuses a program.</summary>
    [GeneratedRegex(@"^/(health|openapi/|sign-in|error/|api/clinical/templates/)")]
    private static partial Regex PublicPaths();

    /// <summary>Every page of the host with each of its form handlers (null for a plain post), found from the pages' models.</summary>
    private IEnumerable<(string Path, string? Handler)> PageForms(IReadOnlyDictionary<string, string> values, string fallback) =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Page: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(p => p.Page is not null)
            .SelectMany(p => PostHandlers(p.Page!).Select(handler =>
                (MappedEndpoints.Fill(p.Endpoint, name => values.GetValueOrDefault(name, fallback)), handler)))
            .Distinct();

    /// <summary>The post handlers of a page's model: <c>OnPostAsync</c> is null, <c>OnPostFireAsync</c> is "Fire".</summary>
    private static IEnumerable<string?> PostHandlers(PageActionDescriptor page)
    {
        var model = typeof(Program).Assembly.GetType($"Midrc.Orchestrator.Pages{page.ViewEnginePath.Replace('/', '.')}Model")
            ?? throw new InvalidOperationException($"No model class for the page {page.ViewEnginePath}.");
        return model.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(m => PostHandler().Match(m.Name))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value is { Length: > 0 } name ? name : null);
    }

    /// <summary>Rows that any change by any form would add to or alter.</summary>
    private async Task<string> CountChangesAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        return string.Join(",",
            await db.AuditEvents.CountAsync(a => a.Action != "sign-in" && a.Action != "sign-in.link-sent"),
            await db.Sites.CountAsync(),
            await db.Solicitations.CountAsync(),
            await db.ApiTokens.CountAsync(t => t.RevokedAt == null),
            await db.WorkflowJournal.CountAsync(),
            await db.Outbox.CountAsync(m => m.Template != SignInLinks.TemplateName));
    }

    /// <summary>A data request sent to UCH (with its workflow) and an API token of UCH's, for forms to aim at.</summary>
    private async Task<(Guid Request, Guid Instance, Guid Token)> UchRequestAndTokenAsync(Site uch)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var pm = new Actor("pm@midrc.example", IsProgramManager: true, new HashSet<Guid>());
        var request = await scope.ServiceProvider.GetRequiredService<DataRequests>().SendAsync(uch, new DataRequestForm
        {
            Title = $"Access test {Guid.NewGuid():N}",
            Modalities = ["CT"],
            RequestedExams = 10,
            DueDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(60)),
        }, pm, CancellationToken.None);
        var instance = await db.WorkflowInstances.Where(i => i.SubjectId == request.Id).Select(i => i.Id).SingleAsync();
        var token = await scope.ServiceProvider.GetRequiredService<ApiTokens>().CreateAsync(uch.Code, "access test", pm.Name, CancellationToken.None);
        return (request.Id, instance, token.Id);
    }

    /// <summary>Every route the host maps, with its parameters filled in to aim at another site's data.</summary>
    private IEnumerable<(string Method, string Path)> Endpoints(IReadOnlyDictionary<string, string> values, string fallback) =>
        MappedEndpoints.All(host.Services, name => values.GetValueOrDefault(name, fallback));

    private async Task<(Site Site, Guid Submission)> UchAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var site = await db.Sites.SingleAsync(s => s.Code == "UCH");
        return (site, await db.Submissions.Where(s => s.SiteId == site.Id).Select(s => s.Id).FirstAsync());
    }

    [GeneratedRegex("^OnPost(.*?)(Async)?$")]
    private static partial Regex PostHandler();

}
