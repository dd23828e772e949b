using System.Diagnostics;
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
using Midrc.Orchestrator.Workflows;
using Npgsql;

// Usage: dotnet run -c Release --project benchmarks/Midrc.Workflows.Bench -- [instances] [transitions]
// PostgreSQL is measured when MIDRC_TEST_POSTGRES names a server (scripts/throwaway-postgres.sh starts one).
var instances = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
var transitions = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2_000;
var targets = new List<(DatabaseProvider Provider, string ConnectionString)>
{
    (DatabaseProvider.Sqlite, $"Data Source={Path.Combine(Directory.CreateTempSubdirectory("midrc-bench-").FullName, "bench.db")}"),
};
if (Environment.GetEnvironmentVariable("MIDRC_TEST_POSTGRES") is { Length: > 0 } server)
{
    var name = $"midrc_bench_{Guid.NewGuid():N}";
    await using (var connection = new NpgsqlConnection(server))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
    }

    targets.Add((DatabaseProvider.PostgreSql, new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString));
}

Console.WriteLine($"{"database",-11} {"live",6} {"starts/s",9} {"transitions/s",14} {"4 workers/s",12} {"timer firings/s",16} {"plain SQL/s",12} {"vs plain",9}");
foreach (var (provider, connectionString) in targets)
{
    var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
    using var host = Build(provider, connectionString, clock);
    await host.Services.MigrateDatabaseAsync(CancellationToken.None);
    var site = await SeedAsync(host.Services);

    var ids = new List<Guid>(instances);
    var starts = await Measure(instances, async _ => ids.Add((await InScope(host.Services, sp => sp.GetRequiredService<WorkflowRuntime>()
        .StartAsync(new StartRequest("site-onboarding", Guid.NewGuid(), site, Actor.System), CancellationToken.None))).Id));

    // Transitions with 10,000 live instances: one worker, then four workers (as several nodes would) on other instances.
    var single = await Measure(transitions, i => Fire(host.Services, ids[i]));
    var parallel = await Measure(transitions, i => Fire(host.Services, ids[transitions + i]), workers: 4);

    // Every instance still invited has its 7-day reminder due; the moved ones have theirs later.
    clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
    var due = await InScope(host.Services, sp => sp.GetRequiredService<MidrcDbContext>().WorkflowTimers.CountAsync(t => t.Status == TimerStatus.Pending && t.DueAt <= clock.GetUtcNow()));
    var watch = Stopwatch.StartNew();
    var fired = await InScope(host.Services, sp => sp.GetRequiredService<WorkflowTimerJob>().RunAsync(CancellationToken.None));
    var timers = fired / watch.Elapsed.TotalSeconds;
    if (fired != due)
    {
        throw new InvalidOperationException($"{due} timers were due but {fired} fired.");
    }

    var plain = await MeasurePlainSqlAsync(host.Services, transitions);
    Console.WriteLine($"{provider,-11} {instances,6} {starts,9:F0} {single,14:F0} {parallel,12:F0} {timers,16:F0} {plain,12:F0} {single / plain,8:P0}");
}

return 0;

static IHost Build(DatabaseProvider provider, string connectionString, TimeProvider clock)
{
    var builder = WorkflowsExtensions.CreateRuntimeBuilder(Environments.Production, new Dictionary<string, string?>
    {
        ["Midrc:Database:Provider"] = provider.ToString(),
        ["Midrc:Database:ConnectionString"] = connectionString,
    });
    builder.Services.AddSingleton<JobStorage>(new InMemoryStorage());
    builder.Services.AddSingleton<IBackgroundJobClient>(sp => new BackgroundJobClient(sp.GetRequiredService<JobStorage>()));
    builder.Services.AddSingleton(clock);
    return builder.Build();
}

static async Task<Guid> SeedAsync(IServiceProvider services)
{
    return await InScope(services, async sp =>
    {
        var db = sp.GetRequiredService<MidrcDbContext>();
        var program = new CollectionProgram { Code = "BENCH", Name = "Benchmark program" };
        var site = new Site { Program = program, Code = "BEN", Name = "Bench Hospital", Institution = "Bench", Country = "US", TimeZone = "America/Chicago" };
        var pm = new Person { Email = "pm@bench.example", DisplayName = "Pat Manager" };
        var coordinator = new Person { Email = "dana@bench.example", DisplayName = "Dana Ruiz" };
        db.AddRange(program, site, pm, coordinator,
            new RoleAssignment { Person = pm, Role = Role.ProgramManager },
            new RoleAssignment { Person = coordinator, Role = Role.SiteCoordinator, Site = site });
        await db.SaveChangesAsync();
        return site.Id;
    });
}

// The peer: the database's floor for one durable transition, with no runtime at all. One transaction per transition moves
// a versioned row and writes the five rows a site-onboarding transition writes (journal entry, email, two timers, audit
// event), in plain parameterised SQL on the same database and connection settings.
static async Task<double> MeasurePlainSqlAsync(IServiceProvider services, int count)
{
    var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToList();
    await InScope(services, async sp =>
    {
        var db = sp.GetRequiredService<MidrcDbContext>();
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE peer_instance (id VARCHAR(36) PRIMARY KEY, state VARCHAR(64) NOT NULL, version INT NOT NULL)");
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE peer_row (id VARCHAR(36) PRIMARY KEY, instance VARCHAR(36) NOT NULL, kind VARCHAR(16) NOT NULL, body VARCHAR(400) NOT NULL)");
        await using var seed = await db.Database.BeginTransactionAsync();
        foreach (var id in ids)
        {
            await db.Database.ExecuteSqlAsync($"INSERT INTO peer_instance (id, state, version) VALUES ({id}, 'invited', 0)");
        }
        await seed.CommitAsync();
        return 0;
    });
    string[] kinds = ["journal", "email", "reminder", "escalation", "audit"];
    var body = new string('x', 300);
    return await Measure(count, i => InScope(services, async sp =>
    {
        var db = sp.GetRequiredService<MidrcDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var moved = await db.Database.ExecuteSqlAsync($"UPDATE peer_instance SET state = 'dua-signed', version = version + 1 WHERE id = {ids[i]} AND version = 0");
        foreach (var kind in kinds)
        {
            await db.Database.ExecuteSqlAsync($"INSERT INTO peer_row (id, instance, kind, body) VALUES ({Guid.NewGuid().ToString()}, {ids[i]}, {kind}, {body})");
        }
        await transaction.CommitAsync();
        return moved;
    }));
}

static Task Fire(IServiceProvider services, Guid instance) =>
    InScope(services, sp => sp.GetRequiredService<WorkflowRuntime>().FireAsync(
        new FireRequest(instance, "record-signed-agreement", new Actor("pm@bench.example", true, new HashSet<Guid>()), $"bench:{instance}"), CancellationToken.None));

static async Task<T> InScope<T>(IServiceProvider services, Func<IServiceProvider, Task<T>> action)
{
    await using var scope = services.CreateAsyncScope();
    return await action(scope.ServiceProvider);
}

// Operations per second: `count` operations shared by `workers` tasks.
static async Task<double> Measure(int count, Func<int, Task> operation, int workers = 1)
{
    var watch = Stopwatch.StartNew();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
    {
        for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
        {
            await operation(i);
        }
    })));
    return count / watch.Elapsed.TotalSeconds;
}
