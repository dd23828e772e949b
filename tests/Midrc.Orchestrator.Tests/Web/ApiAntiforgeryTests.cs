using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.DicomWeb;
using Midrc.Orchestrator.Tests.Submissions;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// Cross-site request forgery on the API: every state-changing endpoint of <c>/api</c> and <c>/dicomweb</c>, found from
/// the host's endpoints (so a new one is covered as soon as it is mapped), refuses the sign-in cookie without the page's
/// antiforgery token; a site's machine with its API token needs none.
/// </summary>
public sealed class ApiAntiforgeryTests : IAsyncLifetime
{
    private IntakeHost host = null!;

    public async Task InitializeAsync() => host = await IntakeHost.StartAsync();

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Every_state_changing_api_endpoint_refuses_a_program_managers_cookie_without_the_antiforgery_token_and_changes_nothing()
    {
        using var uch = host.Client(host.UchToken);
        var submission = await IntakeHost.CreateSubmissionAsync(uch);
        using var pm = await SignInFlow.ClientWithRoleAsync(host.Factory, Role.ProgramManager);
        var before = await CountChangesAsync();

        var refused = new Dictionary<string, HttpStatusCode>();
        var wrong = new List<string>();
        foreach (var (method, path) in StateChangingApiEndpoints(submission.ToString()))
        {
            using var response = await pm.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(Body) });
            refused[$"{method} {path}"] = response.StatusCode;
            var problem = response.StatusCode == HttpStatusCode.BadRequest ? await response.Content.ReadFromJsonAsync<ProblemDetails>() : null;
            if (problem?.Detail?.StartsWith("Antiforgery token missing or invalid: reload the page and try again.", StringComparison.Ordinal) != true)
            {
                wrong.Add($"{method} {path} answered {(int)response.StatusCode} {problem?.Detail}");
            }
        }

        wrong.ShouldBeEmpty();
        (await CountChangesAsync()).ShouldBe(before, "a refused request audits nothing and changes nothing");
        new[]
        {
            "POST /api/releases/current/freeze", "POST /api/releases/current/exclusions", "DELETE /api/releases/current/exclusions/UCH/1.2.3",
            "POST /api/withdrawals", $"POST /api/workflows/instances/{submission}/fire", $"POST /api/submissions/{submission}/waivers/grant",
            $"POST /api/submissions/{submission}/reviews", $"POST /api/outbox/{submission}/resend", "POST /api/submissions", "POST /dicomweb/studies",
        }.ShouldAllBe(endpoint => refused.ContainsKey(endpoint));

        using var withToken = await pm.SendingAntiforgeryTokenAsync();
        (await withToken.PostAsJsonAsync("/api/withdrawals", Body)).StatusCode.ShouldBe(HttpStatusCode.Created, "the same request with the page's token goes through");
    }

    [Fact]
    public async Task A_sites_machine_with_its_api_token_needs_no_antiforgery_token()
    {
        using var uch = host.Client(host.UchToken);

        var submission = await IntakeHost.CreateSubmissionAsync(uch);
        using var put = await IntakeHost.PutFileAsync(uch, submission, host.WriteChest());
        using var stow = await uch.PostAsync("/dicomweb/studies", StowRsTests.Stow(("application/dicom", File.ReadAllBytes(host.WriteChest()))));

        put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        stow.StatusCode.ShouldBe(HttpStatusCode.OK, await stow.Content.ReadAsStringAsync());
        (await host.CountAsync<Submission>(q => q.Where(s => s.Channel == SubmissionChannel.StowRs))).ShouldBe(1);
    }

    /// <summary>A body with what any of the endpoints reads, so that only the missing token stops the request.</summary>
    private static readonly object Body = new
    {
        site = "UCH", caseId = "UCH-0001", reason = "Forged", studyInstanceUid = "1.2.3", trigger = "close-request",
        findingIds = Array.Empty<Guid>(), instanceIds = Array.Empty<Guid>(), outcome = "passed",
    };

    /// <summary>Every state-changing route of the programs' interfaces, each parameter filled with <paramref name="value"/> or the body's site and study.</summary>
    private IEnumerable<(string Method, string Path)> StateChangingApiEndpoints(string value) =>
        MappedEndpoints.All(host.Factory.Services, name => name switch
            {
                "site" => "UCH",
                "studyInstanceUid" or "study" => "1.2.3",
                _ => value,
            })
            .Where(e => !HttpMethods.IsGet(e.Method) && !HttpMethods.IsHead(e.Method))
            .Where(e => e.Path.StartsWith("/api/", StringComparison.Ordinal) || e.Path.StartsWith("/dicomweb/", StringComparison.Ordinal))
            .Select(e => (e.Method, e.Path.TrimEnd('/')));

    /// <summary>Rows that any change through the API would add to or alter.</summary>
    private Task<string> CountChangesAsync() => host.InDatabaseAsync(async db => string.Join(",",
        await db.AuditEvents.CountAsync(a => a.Action != "sign-in"),
        await db.Submissions.CountAsync(),
        await db.Submissions.CountAsync(s => s.Status != SubmissionStatus.Receiving),
        await db.ReceivedFiles.CountAsync(),
        await db.Releases.CountAsync(),
        await db.ReleaseExclusions.CountAsync(),
        await db.Withdrawals.CountAsync(),
        await db.WorkflowJournal.CountAsync(),
        await db.Outbox.CountAsync()));
}
