using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>Two nodes on one PostgreSQL database share their data protection keys: either reads the other's cookies and forms.</summary>
[Collection(DemoHostCollection.Name)]
public sealed class SharedKeysTests
{
    [Fact]
    public async Task A_cookie_and_a_form_token_issued_by_one_node_work_on_another_node_of_the_same_database()
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string?>
        {
            ["Midrc:Database:ConnectionString"] = TestDatabases.CreateEmpty(DatabaseProvider.PostgreSql, folder.Path),
            ["Midrc:Jobs:RunServer"] = "false",
        };
        await using var first = new OrchestratorFactory(DatabaseProvider.PostgreSql, settings);
        await using var second = new OrchestratorFactory(DatabaseProvider.PostgreSql, settings);
        // One browser, two nodes behind a load balancer: the same cookies go to both.
        var cookies = new CookieContainer();
        using var onFirst = first.CreateDefaultClient(new CookieContainerHandler(cookies));
        using var onSecond = second.CreateDefaultClient(new CookieContainerHandler(cookies));
        await SignInFlow.ClientWithRoleAsync(first, Role.ProgramManager, client: onFirst);
        var token = await SignInFlow.AntiforgeryTokenAsync(onFirst, "/me/notifications");

        var audit = await onSecond.GetAsync(new Uri("/audit", UriKind.Relative));
        var saved = await onSecond.PostAsync(new Uri("/me/notifications", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Preference"] = nameof(EmailPreference.DailyDigest),
        }));

        audit.StatusCode.ShouldBe(HttpStatusCode.OK, "the second node reads the first node's sign-in cookie");
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect, "and accepts a form the first node rendered");
        await using var scope = second.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<MidrcDbContext>().DataProtectionKeys.CountAsync()).ShouldBe(1, "both nodes use the one key ring");
    }
}
