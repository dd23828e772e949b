using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>Signing in over HTTP the way a browser does: forms with their antiforgery tokens, the emailed link, the cookie.</summary>
public static partial class SignInFlow
{
    /// <summary>The path of the sign-in link in an email's text.</summary>
    public static string LinkPathIn(string emailText) =>
        LinkPath().Match(emailText) is { Success: true } m ? m.Value : throw new InvalidOperationException($"No sign-in link in: {emailText}");

    /// <summary>
    /// Opens <paramref name="path"/> and posts its form (to <paramref name="action"/>, by default the page itself) with the
    /// page's antiforgery token and <paramref name="fields"/>.
    /// </summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, IReadOnlyDictionary<string, string>? fields = null, string? action = null)
    {
        var form = new Dictionary<string, string>(fields ?? new Dictionary<string, string>())
        {
            ["__RequestVerificationToken"] = await AntiforgeryTokenAsync(client, path),
        };
        return await client.PostAsync(new Uri(action ?? path, UriKind.Relative), new FormUrlEncodedContent(form));
    }

    /// <summary>The antiforgery token of the form on <paramref name="path"/>, valid for this client's every form.</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path) =>
        AntiforgeryToken().Match(await client.GetStringAsync(new Uri(path, UriKind.Relative))) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException($"No form on {path}");

    /// <summary>
    /// Makes <paramref name="client"/> send its pages' antiforgery token with every request (header
    /// <c>RequestVerificationToken</c>), as a page's script does when it calls the API with the sign-in cookie.
    /// </summary>
    public static async Task<HttpClient> SendingAntiforgeryTokenAsync(this HttpClient client)
    {
        client.DefaultRequestHeaders.Add("RequestVerificationToken", await AntiforgeryTokenAsync(client, "/me/notifications"));
        return client;
    }

    /// <summary>Asks for a link for <paramref name="email"/> on the sign-in page.</summary>
    public static Task<HttpResponseMessage> AskForLinkAsync(HttpClient client, string email) =>
        PostFormAsync(client, "/sign-in", new Dictionary<string, string> { ["Email"] = email });

    /// <summary>Opens a link's page and presses "Sign in"; the answer is a redirect home when it worked.</summary>
    public static Task<HttpResponseMessage> UseLinkAsync(HttpClient client, string linkPath) => PostFormAsync(client, linkPath);

    /// <summary>
    /// A client of <paramref name="app"/> (in memory) signed in as a new person with <paramref name="role"/>; the link is
    /// made without an email, so the outbox holds only what the test puts there.
    /// </summary>
    public static async Task<HttpClient> ClientWithRoleAsync(WebApplicationFactory<Program> app, Role role, Guid? siteId = null, HttpClient? client = null)
    {
        var email = $"{role.ToString().ToLowerInvariant()}-{Guid.NewGuid():N}@midrc.example";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
            var person = new Person { Email = email, DisplayName = $"Test {role}" };
            person.Roles.Add(new RoleAssignment { PersonId = person.Id, Role = role, SiteId = siteId });
            db.People.Add(person);
            await db.SaveChangesAsync();
        }
        return await ClientForAsync(app, email, client);
    }

    /// <summary>
    /// A client of <paramref name="app"/> (in memory) signed in as the existing person with this email: <paramref name="client"/>
    /// when given (e.g. one sharing its cookies with another host), else a new one.
    /// </summary>
    public static async Task<HttpClient> ClientForAsync(WebApplicationFactory<Program> app, string email, HttpClient? client = null)
    {
        string token;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var person = await scope.ServiceProvider.GetRequiredService<MidrcDbContext>().People.SingleAsync(p => p.Email == email);
            token = await scope.ServiceProvider.GetRequiredService<SignInLinks>().CreateLinkAsync(person, CancellationToken.None);
        }
        client ??= app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signedIn = await UseLinkAsync(client, $"/sign-in/{token}");
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    [GeneratedRegex("/sign-in/[A-Za-z0-9_-]{20,}")]
    private static partial Regex LinkPath();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
