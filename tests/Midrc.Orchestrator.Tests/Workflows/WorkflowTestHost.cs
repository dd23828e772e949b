using Hangfire;
using Hangfire.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Tests.Workflows;

/// <summary>
/// One orchestrator "process" as far as the runtime is concerned: its own services on a real database, a clock the test
/// moves, and Hangfire storage that records jobs without a server, so the test runs jobs and timers when it chooses.
/// Two hosts on one connection string are two nodes.
/// </summary>
public sealed class WorkflowTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Monday = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private readonly IHost host;

    private WorkflowTestHost(IHost host, FakeTimeProvider clock, DatabaseProvider provider, string connectionString)
    {
        this.host = host;
        Clock = clock;
        Provider = provider;
        ConnectionString = connectionString;
    }

    public FakeTimeProvider Clock { get; }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    public IServiceProvider Services => host.Services;

    /// <summary>A host on a new migrated database.</summary>
    public static async Task<WorkflowTestHost> CreateAsync(DatabaseProvider provider, string folder, Action<IServiceCollection>? replace = null)
    {
        var created = Create(provider, TestDatabases.CreateEmpty(provider, folder), new FakeTimeProvider(Monday), replace);
        await created.Services.MigrateDatabaseAsync(CancellationToken.None);
        return created;
    }

    /// <summary>Another node on the same database, sharing the same clock.</summary>
    public WorkflowTestHost SecondNode(Action<IServiceCollection>? replace = null) => Create(Provider, ConnectionString, Clock, replace);

    private static WorkflowTestHost Create(DatabaseProvider provider, string connectionString, FakeTimeProvider clock, Action<IServiceCollection>? replace)
    {
        var builder = WorkflowsExtensions.CreateRuntimeBuilder("Testing", new Dictionary<string, string?>
        {
            ["Midrc:Database:Provider"] = provider.ToString(),
            ["Midrc:Database:ConnectionString"] = connectionString,
        });
        builder.Services.AddSingleton<JobStorage>(new InMemoryStorage());
        builder.Services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
        builder.Services.AddSingleton<TimeProvider>(clock);
        replace?.Invoke(builder.Services);
        return new WorkflowTestHost(builder.Build(), clock, provider, connectionString);
    }

    public async Task<T> InScopeAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider);
    }

    public Task<FireResult> FireAsync(Guid instance, string trigger, Actor actor, string? key = null, IReadOnlyDictionary<string, string>? data = null) =>
        InScopeAsync(sp => sp.GetRequiredService<WorkflowRuntime>().FireAsync(
            new FireRequest(instance, trigger, actor, key ?? $"test:{Guid.NewGuid():N}") { Data = data }, CancellationToken.None));

    public Task<WorkflowInstance> StartAsync(string definition, Guid subject, Guid? site, IReadOnlyDictionary<string, string>? data = null) =>
        InScopeAsync(sp => sp.GetRequiredService<WorkflowRuntime>().StartAsync(new StartRequest(definition, subject, site, Actor.System) { Data = data }, CancellationToken.None));

    /// <summary>Runs every pending job intent, as Hangfire workers would, until none is left; returns how many ran.</summary>
    public async Task<int> RunPendingJobsAsync()
    {
        var ran = 0;
        for (var round = 0; round < 20; round++)
        {
            var pending = await InScopeAsync(sp => sp.GetRequiredService<MidrcDbContext>().WorkflowJobIntents
                .Where(i => i.Status == WorkflowJobStatus.Pending).OrderBy(i => i.CreatedAt).Select(i => i.Id).ToListAsync());
            if (pending.Count == 0)
            {
                return ran;
            }

            foreach (var id in pending)
            {
                await InScopeAsync(async sp =>
                {
                    await sp.GetRequiredService<WorkflowJobRunner>().RunAsync(id, CancellationToken.None);
                    return id;
                });
                ran++;
            }
        }

        throw new InvalidOperationException("Jobs kept asking for more jobs for 20 rounds.");
    }

    /// <summary>One run of the <c>fire-due-timers</c> job.</summary>
    public Task<int> RunTimersAsync() => InScopeAsync(sp => sp.GetRequiredService<WorkflowTimerJob>().RunAsync(CancellationToken.None));

    public MidrcDbContext OpenDb() => TestDatabases.Open(Provider, ConnectionString);

    public async ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }
}

/// <summary>A program with one site in Chicago, its coordinator, a coordinator of another site and a program manager.</summary>
public sealed record SeededProgram(Site Site, Site OtherSite, Actor ProgramManager, Actor Coordinator, Actor OtherCoordinator)
{
    public const string ProgramManagerEmail = "pm@program.example";
    public const string CoordinatorEmail = "dana@ruh.example";
    public const string OtherCoordinatorEmail = "lee@osl.example";

    public static async Task<SeededProgram> CreateAsync(MidrcDbContext db)
    {
        var program = new CollectionProgram { Code = "MIDRC", Name = "MIDRC" };
        var site = new Site { Program = program, Code = "RUH", Name = "Riverside University Hospital", Institution = "Riverside", Country = "US", TimeZone = "America/Chicago" };
        var other = new Site { Program = program, Code = "OSL", Name = "Oslo Imaging", Institution = "Oslo", Country = "NO", TimeZone = "Europe/Oslo" };
        var pm = new Person { Email = ProgramManagerEmail, DisplayName = "Pat Manager" };
        var coordinator = new Person { Email = CoordinatorEmail, DisplayName = "Dana Ruiz", TimeZone = "America/Chicago" };
        var otherCoordinator = new Person { Email = OtherCoordinatorEmail, DisplayName = "Lee Berg" };
        db.AddRange(program, site, other, pm, coordinator, otherCoordinator,
            new RoleAssignment { Person = pm, Role = Role.ProgramManager },
            new RoleAssignment { Person = coordinator, Role = Role.SiteCoordinator, Site = site },
            new RoleAssignment { Person = otherCoordinator, Role = Role.SiteCoordinator, Site = other });
        await db.SaveChangesAsync();
        var resolver = new ActorResolver(db);
        return new SeededProgram(site, other, (await resolver.FindAsync(ProgramManagerEmail, default))!, (await resolver.FindAsync(CoordinatorEmail, default))!, (await resolver.FindAsync(OtherCoordinatorEmail, default))!);
    }
}
