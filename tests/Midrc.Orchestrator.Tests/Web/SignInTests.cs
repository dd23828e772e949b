using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>Sign-in by emailed link on the real host in memory, with a clock the tests move.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private const string Ada = "ada@ruh.example.org";
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));
    private readonly OrchestratorFactory factory = new();
    private WebApplicationFactory<Program> app = null!;

    public async Task InitializeAsync()
    {
        app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var ada = new Person { Email = Ada, DisplayName = "Ada Coordinator", EmailPreference = EmailPreference.DailyDigest };
        ada.Roles.Add(new RoleAssignment { PersonId = ada.Id, Role = Role.ProgramManager });
        db.People.Add(ada);
        db.People.Add(new Person { Email = "gone@ruh.example.org", DisplayName = "Former Coordinator", IsActive = false });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Asking_for_a_link_answers_the_same_whether_or_not_the_address_has_an_account()
    {
        using var client = NewClient();

        var known = await SignInFlow.AskForLinkAsync(client, "  ADA@ruh.example.org ");
        var unknown = await SignInFlow.AskForLinkAsync(client, "nobody@ruh.example.org");
        var inactive = await SignInFlow.AskForLinkAsync(client, "gone@ruh.example.org");

        var pages = new[] { known, unknown, inactive };
        pages.ShouldAllBe(r => r.StatusCode == HttpStatusCode.OK);
        foreach (var page in pages)
        {
            (await page.Content.ReadAsStringAsync()).ShouldContain("Check your email.");
        }
        var mail = await OutboxAsync();
        var link = mail.ShouldHaveSingleItem("only the active account gets a link");
        (link.ToAddress, link.Template).ShouldBe((Ada, SignInLinks.TemplateName));
        link.Status.ShouldNotBe(OutboxStatus.Digested, "a sign-in link is not held for the daily digest");
        link.TextBody.ShouldContain("expires on Tuesday 24 November 2026, 14:15 (UTC)");
    }

    [Fact]
    public async Task A_link_signs_in_once_with_an_http_only_lax_cookie_and_is_audited()
    {
        using var client = NewClient();
        await SignInFlow.AskForLinkAsync(client, Ada);
        var path = SignInFlow.LinkPathIn((await OutboxAsync()).Single().TextBody);

        var opened = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        var used = await SignInFlow.UseLinkAsync(client, path);
        var home = await client.GetAsync(new Uri("/", UriKind.Relative));
        using var other = NewClient();
        var reopened = await other.GetStringAsync(new Uri(path, UriKind.Relative));
        var reused = await SignInFlow.PostFormAsync(other, "/sign-in", action: path);

        opened.ShouldContain("Welcome, Ada Coordinator");
        used.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        used.Headers.Location!.OriginalString.ShouldBe("/");
        var cookie = used.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AuthExtensions.CookieName + "=", StringComparison.Ordinal)).ToLowerInvariant();
        cookie.ShouldContain("httponly");
        cookie.ShouldContain("samesite=lax");
        cookie.ShouldNotContain("secure", customMessage: "plain http here; the cookie is Secure when the request is HTTPS");
        home.StatusCode.ShouldBe(HttpStatusCode.OK);
        reopened.ShouldContain("This link no longer works");
        reused.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await reused.Content.ReadAsStringAsync()).ShouldContain("This link no longer works");
        reused.Headers.Contains("Set-Cookie").ShouldBeFalse();
        var audit = await InScopeAsync(db => db.AuditEvents.Where(a => a.Action == "sign-in").ToListAsync());
        audit.ShouldHaveSingleItem().Actor.ShouldBe(Ada);
    }

    [Fact]
    public async Task Cookies_are_Secure_when_a_trusted_load_balancer_says_it_ended_TLS_and_not_otherwise()
    {
        await using var behindTls = new OrchestratorFactory(settings: new Dictionary<string, string?>
        {
            ["Midrc:PublicUrl"] = "https://midrc.example.org",
            ["Midrc:TrustedProxies:0"] = "127.0.0.1",
        });
        behindTls.UseKestrel(0);
        using var direct = behindTls.CreateClient();
        using var plain = await direct.GetAsync(new Uri("/sign-in", UriKind.Relative));
        plain.Headers.GetValues("Set-Cookie").ShouldAllBe(c => !c.Contains("secure", StringComparison.OrdinalIgnoreCase));

        // A fresh client, so the server sets its cookies again.
        using var client = behindTls.CreateClient();
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/sign-in");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        forwarded.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var page = await client.SendAsync(forwarded);

        var cookies = page.Headers.GetValues("Set-Cookie").ToList();
        cookies.ShouldNotBeEmpty("the sign-in form sets its antiforgery cookie");
        cookies.ShouldAllBe(c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_expired_link_signs_nobody_in()
    {
        using var client = NewClient();
        await SignInFlow.AskForLinkAsync(client, Ada);
        var path = SignInFlow.LinkPathIn((await OutboxAsync()).Single().TextBody);

        clock.Advance(SignInLinks.Lifetime + TimeSpan.FromSeconds(1));
        var opened = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        var used = await SignInFlow.PostFormAsync(client, "/sign-in", action: path);

        opened.ShouldContain("This link no longer works");
        used.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await used.Content.ReadAsStringAsync()).ShouldContain("This link no longer works");
        used.Headers.Contains("Set-Cookie").ShouldBeFalse();
        (await client.GetAsync(new Uri("/", UriKind.Relative))).Headers.Location!.AbsolutePath.ShouldBe("/sign-in");
    }

    [Fact]
    public async Task Links_to_one_address_are_limited_whoever_asks()
    {
        using var client = NewClient();

        for (var i = 0; i < SignInThrottle.PerEmailLimit + 2; i++)
        {
            (await SignInFlow.AskForLinkAsync(client, Ada)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await OutboxAsync()).Count.ShouldBe(SignInThrottle.PerEmailLimit);
    }

    [Fact]
    public async Task Sign_in_posts_from_one_address_are_limited_to_the_setting()
    {
        await using var limited = new OrchestratorFactory(settings: new Dictionary<string, string?> { ["Midrc:SignIn:PerAddressLimit"] = "2" });
        using var client = limited.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add((await SignInFlow.AskForLinkAsync(client, $"someone-{i}@ruh.example.org")).StatusCode);
        }

        answers.ShouldBe([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests]);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_and_a_deactivated_person_is_out_at_once()
    {
        using var first = await SignInFlow.ClientWithRoleAsync(app, Role.ProgramManager);
        using var second = await SignInFlow.ClientWithRoleAsync(app, Role.ProgramManager);

        (await first.GetAsync(new Uri("/", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var signedOut = await SignInFlow.PostFormAsync(first, "/", action: "/sign-out");
        await InScopeAsync(async db =>
        {
            var people = await db.People.Where(p => p.DisplayName == "Test ProgramManager").ToListAsync();
            people.ForEach(p => p.IsActive = false);
            return await db.SaveChangesAsync();
        });

        signedOut.Headers.Location!.OriginalString.ShouldBe("/sign-in?signedOut=true");
        (await first.GetAsync(new Uri("/", UriKind.Relative))).Headers.Location!.AbsolutePath.ShouldBe("/sign-in");
        (await second.GetAsync(new Uri("/", UriKind.Relative))).Headers.Location!.AbsolutePath.ShouldBe("/sign-in", "deactivation takes effect on the next request");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/sites/RUH")]
    [InlineData("/jobs")]
    public async Task Anonymous_visitors_are_sent_to_the_sign_in_page(string path)
    {
        using var client = NewClient();

        var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.AbsolutePath.ShouldBe("/sign-in");
    }

    [Theory]
    [InlineData("/api/sites")]
    [InlineData("/api/outbox")]
    [InlineData("/api/outbox/pickup")]
    public async Task Anonymous_api_calls_get_401(string path)
    {
        using var client = NewClient();

        (await client.GetAsync(new Uri(path, UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        await factory.DisposeAsync();
    }

    private HttpClient NewClient() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private Task<List<OutboxMessage>> OutboxAsync() =>
        InScopeAsync(db => db.Outbox.Where(m => m.Template == SignInLinks.TemplateName).OrderBy(m => m.CreatedAt).ToListAsync());

    private async Task<T> InScopeAsync<T>(Func<MidrcDbContext, Task<T>> work)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<MidrcDbContext>());
    }
}
