using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>Who may see what, on the demo program: a coordinator of MUC walks every endpoint the host maps, aimed at UCH.</summary>
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
        visited.ShouldContainKeyAndValue("GET /api/outbox", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue("GET /jobs", HttpStatusCode.Forbidden);
        visited.ShouldContainKeyAndValue($"POST /api/outbox/{uchSubmission}/resend", HttpStatusCode.Forbidden);
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

        sites.ShouldNotBeNull().Count.ShouldBe(6);
        uch.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await uch.Content.ReadAsStringAsync()).ShouldContain("Lakeside University Medical Center");
        jobs.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    /// <summary>Every route the host maps, with its parameters filled in to aim at another site's data.</summary>
    private IEnumerable<(string Method, string Path)> Endpoints(IReadOnlyDictionary<string, string> values, string fallback) =>
        host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [HttpMethods.Get])
                .Select(method => (method, Parameter().Replace("/" + e.RoutePattern.RawText!.TrimStart('/'), m => values.GetValueOrDefault(m.Groups[1].Value, fallback)))))
            .Distinct();

    private async Task<(Site Site, Guid Submission)> UchAsync()
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var site = await db.Sites.SingleAsync(s => s.Code == "UCH");
        return (site, await db.Submissions.Where(s => s.SiteId == site.Id).Select(s => s.Id).FirstAsync());
    }

    /// <summary>A route parameter such as <c>{code}</c>, <c>{id:guid}</c> or <c>{**path}</c>; group 1 is its name.</summary>
    [GeneratedRegex(@"\{\**([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();
}
