using Microsoft.EntityFrameworkCore;

namespace Midrc.Orchestrator.Data;

/// <summary>The database engines the orchestrator runs on.</summary>
public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
    SqlServer,
}

/// <summary>Settings under <c>Midrc:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Midrc:Database";

    /// <summary><c>Sqlite</c> (embedded default), <c>PostgreSql</c> or <c>SqlServer</c>.</summary>
    public string Provider { get; set; } = nameof(DatabaseProvider.Sqlite);

    /// <summary>The connection string; for SQLite it defaults to <c>midrc.db</c> in the data folder.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Apply pending migrations at start-up (on by default; turn off where a DBA applies the scripts).</summary>
    public bool MigrateAtStartup { get; set; } = true;

    /// <summary>The provider as an enum; validation has already rejected unknown names.</summary>
    public DatabaseProvider ParsedProvider => Enum.Parse<DatabaseProvider>(Provider, ignoreCase: true);
}

/// <summary>One place that knows how each provider is configured, for the host, the CLI and design time.</summary>
public static class DatabaseProviders
{
    /// <summary>Points the options at the provider, with the migrations of that provider's context.</summary>
    public static TBuilder Configure<TBuilder>(TBuilder builder, DatabaseProvider provider, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        _ = provider switch
        {
            // No retrying execution strategy: the workflow runtime uses its own transactions and
            // treats a lost race as a conflict, not something to replay.
            DatabaseProvider.Sqlite => builder.UseSqlite(connectionString),
            DatabaseProvider.PostgreSql => builder.UseNpgsql(connectionString),
            DatabaseProvider.SqlServer => builder.UseSqlServer(connectionString),
            _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
        };
        return builder;
    }
}
