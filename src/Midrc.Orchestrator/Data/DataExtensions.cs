using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Hosting;

namespace Midrc.Orchestrator.Data;

public static class DataExtensions
{
    /// <summary>
    /// Registers one context type per provider and exposes the configured one as <see cref="MidrcDbContext"/>.
    /// Settings are read when the database is first needed (at start-up, by the migration step), so a wrong
    /// value stops the host with a message naming the key.
    /// </summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
        builder.Services.AddSingleton(sp => ResolveTarget(sp.GetRequiredService<IConfiguration>()));
        builder.Services.AddScoped<AuditTrail>();
        Register<SqliteMidrcDbContext>(builder.Services);
        Register<PostgreSqlMidrcDbContext>(builder.Services);
        Register<SqlServerMidrcDbContext>(builder.Services);
        builder.Services.AddScoped<MidrcDbContext>(sp => sp.GetRequiredService<DatabaseTarget>().Provider switch
        {
            DatabaseProvider.PostgreSql => sp.GetRequiredService<PostgreSqlMidrcDbContext>(),
            DatabaseProvider.SqlServer => sp.GetRequiredService<SqlServerMidrcDbContext>(),
            _ => sp.GetRequiredService<SqliteMidrcDbContext>(),
        });
        return builder;
    }

    private static void Register<TContext>(IServiceCollection services)
        where TContext : MidrcDbContext =>
        services.AddDbContext<TContext>((sp, o) =>
        {
            var target = sp.GetRequiredService<DatabaseTarget>();
            DatabaseProviders.Configure(o, target.Provider, target.ConnectionString);
        });

    /// <summary>The database the settings name, checked: a wrong value is a <see cref="StartupException"/> naming the key.</summary>
    public static DatabaseTarget ResolveTarget(IConfiguration configuration)
    {
        var options = ReadDatabaseOptions(configuration);
        return new DatabaseTarget(options.ParsedProvider, ConnectionStringFor(options, configuration.GetMidrcOptions()), options.MigrateAtStartup);
    }

    /// <summary>Reads and checks <c>Midrc:Database</c>; a wrong value stops start-up with a message naming the key.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var names = string.Join(", ", Enum.GetNames<DatabaseProvider>());
        if (!Enum.TryParse<DatabaseProvider>(options.Provider, ignoreCase: true, out var provider) || int.TryParse(options.Provider, out _))
        {
            throw new StartupException(
                $"Setting {DatabaseOptions.Section}:Provider is '{options.Provider}', which is not a database this orchestrator runs on. Use one of: {names}.");
        }
        if (provider != DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new StartupException(
                $"Setting {DatabaseOptions.Section}:ConnectionString is empty, but {provider} needs one (e.g. Host=db;Database=midrc;Username=midrc;Password=...). Set it in appsettings/ or as the environment variable Midrc__Database__ConnectionString.");
        }
        return options;
    }

    private static string ConnectionStringFor(DatabaseOptions options, MidrcOptions midrc) =>
        options.ParsedProvider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(options.ConnectionString)
            ? $"Data Source={Path.Combine(midrc.DataFolderPath, "midrc.db")}"
            : options.ConnectionString;

    /// <summary>The connection without secrets, for messages and logs.</summary>
    public static string Describe(this DatabaseTarget target)
    {
        var csb = new DbConnectionStringBuilder { ConnectionString = target.ConnectionString };
        foreach (var secret in new[] { "Password", "Pwd", "User Password" })
        {
            csb.Remove(secret);
        }
        return $"{target.Provider} ({csb.ConnectionString})";
    }

    /// <summary>
    /// Creates the database (and the data folder) and applies pending migrations. EF Core takes a
    /// migration lock, so several processes starting at once on one server do not race.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken)
    {
        var target = services.GetRequiredService<DatabaseTarget>();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        try
        {
            var sqliteFile = target.Provider == DatabaseProvider.Sqlite ? SqliteFile(target) : null;
            if (sqliteFile is not null && Path.GetDirectoryName(sqliteFile) is { Length: > 0 } folder)
            {
                Directory.CreateDirectory(folder);
            }
            if (target.MigrateAtStartup && sqliteFile is not null)
            {
                await MigrateSqliteAsync(db, sqliteFile, cancellationToken);
            }
            else if (target.MigrateAtStartup)
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            else if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                throw new StartupException($"Cannot connect to the database {target.Describe()}.");
            }
            if (target.Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets the CLI read while the orchestrator writes.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or IOException or UnauthorizedAccessException or TimeoutException)
        {
            throw new StartupException(
                $"Cannot open the database {target.Describe()}: {e.GetBaseException().Message.TrimEnd('.')}. Check that the server is running and reachable, and the Midrc:Database settings in appsettings/.", e);
        }
    }

    /// <summary>The SQLite database's file, or null for an in-memory database.</summary>
    private static string? SqliteFile(DatabaseTarget target)
    {
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(target.ConnectionString);
        return builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory || builder.DataSource is "" or ":memory:"
            ? null
            : Path.GetFullPath(builder.DataSource);
    }

    /// <summary>
    /// Migrates a SQLite database under an operating-system lock on a file beside it. EF Core's own lock on SQLite is a
    /// row in <c>__EFMigrationsLock</c>, which a process killed while migrating leaves behind, and every later start
    /// would then wait for it forever. The kernel releases the file lock when its holder dies, so whoever holds it knows
    /// that any lock row is stale and clears it. Nothing is locked at all when no migration is pending.
    /// </summary>
    private static async Task MigrateSqliteAsync(MidrcDbContext db, string file, CancellationToken cancellationToken)
    {
        if (File.Exists(file) && !(await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
        {
            return;
        }
        await using var fileLock = await SqliteMigrationLock.AcquireAsync(file + ".migrating", cancellationToken);
        if (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'").SingleAsync(cancellationToken) > 0)
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM \"__EFMigrationsLock\";", cancellationToken);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }
}

/// <summary>The database this process uses, resolved from settings.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, bool MigrateAtStartup);
