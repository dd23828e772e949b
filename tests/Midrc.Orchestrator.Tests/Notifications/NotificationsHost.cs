using Hangfire;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Workflows.Loading;

namespace Midrc.Orchestrator.Tests.Notifications;

/// <summary>
/// The real host on a real database with a fake clock and no Hangfire server, so each test runs the
/// sender and digest jobs itself, as Hangfire would, and moves time on by hand.
/// </summary>
public sealed class NotificationsHost : IAsyncDisposable
{
    public const string PublicUrl = "https://midrc.example.org/portal";

    private readonly OrchestratorFactory factory;

    private NotificationsHost(DatabaseProvider provider, int? smtpPort, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        var values = new Dictionary<string, string?>
        {
            ["Midrc:PublicUrl"] = PublicUrl,
            ["Midrc:Smtp:Host"] = smtpPort is null ? "" : "127.0.0.1",
            ["Midrc:Smtp:Port"] = smtpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "587",
            ["Midrc:Smtp:Security"] = "None",
            ["Midrc:Smtp:FromAddress"] = "noreply@midrc.example.org",
            ["Midrc:Smtp:FromName"] = "MIDRC Orchestrator",
            ["Midrc:Smtp:Timeout"] = "00:00:05",
            // The tests are the only ones running the jobs.
            ["Midrc:Jobs:RunServer"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        factory = new OrchestratorFactory(provider, values);
        App = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<TimeProvider>(Clock);
            services?.Invoke(s);
        }));
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 14, 0, 0, TimeSpan.Zero));

    public WebApplicationFactory<Program> App { get; }

    public string DataFolder => factory.DataFolder;

    public static NotificationsHost Start(DatabaseProvider provider, int? smtpPort, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var host = new NotificationsHost(provider, smtpPort, settings, services);
        _ = host.App.Services;
        return host;
    }

    /// <summary>Runs <paramref name="work"/> in its own scope, like one request or one job.</summary>
    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await work(scope.ServiceProvider);
    }

    /// <summary>One run of the sender job.</summary>
    public Task<int> SendDueAsync() => InScopeAsync(s => s.GetRequiredService<OutboxSender>().SendDueAsync(CancellationToken.None));

    /// <summary>One run of the digest job.</summary>
    public Task<int> WriteDigestsAsync() => InScopeAsync(s => s.GetRequiredService<DailyDigest>().WriteDueAsync(CancellationToken.None));

    public Task<List<OutboxMessage>> OutboxAsync() =>
        InScopeAsync(s => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(s.GetRequiredService<MidrcDbContext>().Outbox.OrderBy(m => m.CreatedAt)));

    public Task<Person> AddPersonAsync(string name, string email, string timeZone = "UTC", EmailPreference preference = EmailPreference.Immediately) =>
        InScopeAsync(async s =>
        {
            var db = s.GetRequiredService<MidrcDbContext>();
            var person = new Person { DisplayName = name, Email = email, TimeZone = timeZone, EmailPreference = preference, CreatedAt = Clock.GetUtcNow() };
            db.People.Add(person);
            await db.SaveChangesAsync();
            return person;
        });

    /// <summary>Renders a shipped template for <paramref name="to"/> and commits it to the outbox, as a workflow transition does.</summary>
    public Task<OutboxMessage> EnqueueAsync(Person to, string key, string template = "data-request", EmailModel? model = null) =>
        InScopeAsync(async s =>
        {
            var outbox = s.GetRequiredService<Outbox>();
            var library = s.GetRequiredService<WorkflowLibrary>();
            var message = outbox.Enqueue(to, key, library.FindTemplate(template)!, model ?? SampleModel());
            await s.GetRequiredService<MidrcDbContext>().SaveChangesAsync();
            return message;
        });

    public static EmailModel SampleModel(string siteName = "Riverside University Hospital") => new()
    {
        Site = new EmailSite(siteName, "RUH"),
        Request = new EmailRequest("Chest X-rays 2026", "CR, DX", "Adults with a COVID-19 test", 250),
        Deadline = new DateTimeOffset(2026, 12, 4, 23, 0, 0, TimeSpan.Zero),
        ActionPath = "/requests/42",
    };

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await factory.DisposeAsync();
    }
}
