using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Workflows;

/// <summary><c>/api/workflows</c> through the real host on each real database.</summary>
public sealed class WorkflowsApiTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_api_answers_401_to_anyone_not_signed_in()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        var response = await client.GetAsync(new Uri("/api/workflows/instances", UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await response.Content.ReadAsStringAsync()).ShouldContain("sign in at /sign-in");
    }

    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task People_list_read_and_fire_workflows_through_the_api(DatabaseProvider provider)
    {
        await using var factory = new OrchestratorFactory(provider);
        using var client = factory.CreateClient();
        Guid siteFlow;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var program = await SeededProgram.CreateAsync(scope.ServiceProvider.GetRequiredService<MidrcDbContext>());
            siteFlow = (await scope.ServiceProvider.GetRequiredService<WorkflowRuntime>()
                .StartAsync(new StartRequest("site-onboarding", program.Site.Id, program.Site.Id, Actor.System), CancellationToken.None)).Id;
        }

        using var pm = await (await SignInFlow.ClientForAsync(factory, SeededProgram.ProgramManagerEmail)).SendingAntiforgeryTokenAsync();
        using var coordinator = await (await SignInFlow.ClientForAsync(factory, SeededProgram.CoordinatorEmail)).SendingAntiforgeryTokenAsync();
        using var other = await (await SignInFlow.ClientForAsync(factory, SeededProgram.OtherCoordinatorEmail)).SendingAntiforgeryTokenAsync();
        using var impostor = factory.CreateClient();
        var impersonation = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/workflows/instances", UriKind.Relative));
        impersonation.Headers.Add("X-Midrc-Actor", SeededProgram.ProgramManagerEmail);
        (await impostor.SendAsync(impersonation)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "a header naming someone signs nobody in");

        var list = await Send<List<InstanceSummary>>(pm, "/api/workflows/instances?site=RUH&definition=site-onboarding");
        var detail = await Send<InstanceDetail>(pm, $"/api/workflows/instances/{siteFlow}");
        var forbidden = await Fire(coordinator, siteFlow, new FireBody("record-signed-agreement"));
        var fired = await Fire(pm, siteFlow, new FireBody("record-signed-agreement", ExpectedState: "invited"));
        var late = await Fire(pm, siteFlow, new FireBody("record-signed-agreement", ExpectedState: "invited"));
        var waiting = await Fire(coordinator, siteFlow, new FireBody("confirm-coordinators"));
        var stranger = await Fire(other, siteFlow, new FireBody("confirm-coordinators"));
        var strangersList = await Send<List<InstanceSummary>>(other, "/api/workflows/instances");
        var diagram = await coordinator.GetAsync(new Uri($"/api/workflows/definitions/site-onboarding/diagram?format=mermaid&instance={siteFlow}", UriKind.Relative));

        list.ShouldHaveSingleItem().StateTitle.ShouldBe("Invited");
        detail.Journal.ShouldHaveSingleItem().Text.ShouldBe("Started");
        detail.Timers.Select(t => t.Trigger).ShouldBe(["remind-site", "escalate"]);
        detail.Triggers.Single(t => t.Trigger == "record-signed-agreement").Permitted.ShouldBeTrue();
        forbidden.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await forbidden.Content.ReadAsStringAsync()).ShouldContain("Only a program manager can record signed data use agreement.");
        fired.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await fired.Content.ReadFromJsonAsync<FireResponse>())!.StateTitle.ShouldBe("Data use agreement signed");
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await late.Content.ReadFromJsonAsync<FireResponse>())!.Message.ShouldContain("already moved this site to 'Data use agreement signed'");
        waiting.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await waiting.Content.ReadAsStringAsync()).ShouldContain("Waiting for at least one site coordinator to register");
        stranger.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        strangersList.ShouldBeEmpty();
        diagram.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await diagram.Content.ReadAsStringAsync()).ShouldContain("class dua_signed current");
    }

    [Fact]
    public async Task The_host_refuses_to_start_with_an_invalid_definition_and_says_where()
    {
        var workflows = Path.Combine(_folder.Path, "workflows");
        Directory.CreateDirectory(workflows);
        var file = Path.Combine(workflows, "broken.yaml");
        File.WriteAllText(file, "id: broken\nversion: 1\ntitle: Broken\nsubject: site\ninitial: start\nstates:\n  - id: start\ntransitions: []\n");

        var outcome = await HostProcess.RunUntilExitAsync(_folder.Path, new Dictionary<string, string> { ["Midrc__Workflows__Folder"] = workflows }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain($"{file}:7:9: State 'start' is not final but no transition leaves it; add a transition or mark it 'final: true'.");
        outcome.Error.ShouldNotContain("   at ", customMessage: "an operator gets the problems, not a stack trace");
    }

    private static async Task<T> Send<T>(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    private static Task<HttpResponseMessage> Fire(HttpClient client, Guid instance, FireBody body) =>
        client.PostAsJsonAsync(new Uri($"/api/workflows/instances/{instance}/fire", UriKind.Relative), body);
}
