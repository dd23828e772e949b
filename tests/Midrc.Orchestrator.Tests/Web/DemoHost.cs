using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Web;

/// <summary>
/// The real host with the demo program, listening on a free port of 127.0.0.1 (browsers need a real socket),
/// mail going to the pickup folder as on the embedded default. Shared by the tests of <see cref="DemoHostCollection"/>.
/// </summary>
public sealed class DemoHost : IAsyncLifetime
{
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(20);
    // Hangfire's in-memory storage is process-wide, so a job enqueued here may run in another test's host: this
    // host runs no job server, and the test runs the sender itself, as Hangfire would.
    // Every test of the collection signs in through the form from 127.0.0.1, as many people behind one proxy would.
    private readonly OrchestratorFactory factory = new(settings: new Dictionary<string, string?>
    {
        ["Midrc:SeedDemo"] = "true",
        ["Midrc:Jobs:RunServer"] = "false",
        ["Midrc:SignIn:PerAddressLimit"] = "1000",
    });
    private readonly HashSet<string> takenMail = [];
    private EnqueuedJobs? jobs;

    public Uri BaseAddress { get; private set; } = null!;

    public IServiceProvider Services => factory.Services;

    public string PickupFolder => Path.Combine(factory.DataFolder, "mail-pickup");

    public Task InitializeAsync()
    {
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        BaseAddress = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return Task.CompletedTask;
    }

    /// <summary>Performs the jobs the host enqueued (indexing, QA, de-identification), and those they enqueue, as Hangfire would.</summary>
    public Task RunJobsAsync() => (jobs ??= new EnqueuedJobs(Services)).RunAllAsync();

    /// <summary>A client with its own cookies that does not follow redirects.</summary>
    public HttpClient NewClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = BaseAddress };

    /// <summary>Waits for the next sign-in email to <paramref name="email"/> in the pickup folder and returns its link's path.</summary>
    public async Task<string> TakeSignInLinkAsync(string email)
    {
        var deadline = DateTime.UtcNow + MailWait;
        while (DateTime.UtcNow < deadline)
        {
            await using (var scope = Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<OutboxSender>().SendDueAsync(CancellationToken.None);
            }
            foreach (var file in Directory.Exists(PickupFolder) ? Directory.GetFiles(PickupFolder, "*.eml").Order(StringComparer.Ordinal).ToArray() : [])
            {
                if (takenMail.Contains(file))
                {
                    continue;
                }
                using var message = await MimeMessage.LoadAsync(file);
                if (message.To.Mailboxes.Any(m => m.Address == email) && (message.Subject ?? "").StartsWith("Your sign-in link", StringComparison.Ordinal))
                {
                    takenMail.Add(file);
                    return SignInFlow.LinkPathIn(message.TextBody ?? "");
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No sign-in email to {email} reached {PickupFolder} within {MailWait}.");
    }

    /// <summary>An HTTP client signed in as <paramref name="email"/> through the sign-in form and the emailed link.</summary>
    public async Task<HttpClient> SignInAsync(string email)
    {
        var client = NewClient();
        (await SignInFlow.AskForLinkAsync(client, email)).EnsureSuccessStatusCode();
        var signedIn = await SignInFlow.UseLinkAsync(client, await TakeSignInLinkAsync(email));
        signedIn.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return client;
    }

    public async Task DisposeAsync() => await factory.DisposeAsync();
}

/// <summary>
/// Runs alone: Hangfire's log provider is process-wide (the last host started), so another test's host stopping while
/// this one runs its job server would leave it logging into a disposed logger factory.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoHostCollection : ICollectionFixture<DemoHost>
{
    public const string Name = "demo host";
}
