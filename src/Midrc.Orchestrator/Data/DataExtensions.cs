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
            if (target.Provider == DatabaseProvider.Sqlite)
            {
                var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(target.ConnectionString).DataSource;
                var folder = Path.GetDirectoryName(Path.GetFullPath(file));
                if (!string.IsNullOrEmpty(folder))
                {
                    Directory.CreateDirectory(folder);
                }
            }
            if (target.MigrateAtStartup)
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
}

/// <summary>The database this process uses, resolved from settings.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString, bool MigrateAtStartup);
