using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Npgsql;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>
/// The real databases tests run on: a fresh SQLite file, or a fresh database on the throwaway
/// PostgreSQL server that ./test.sh starts (its address is in MIDRC_TEST_POSTGRES).
/// </summary>
public static class TestDatabases
{
    public static TheoryData<DatabaseProvider> Providers => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql];

    /// <summary>The PostgreSQL server's connection string; fails the test with a clear message when absent.</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("MIDRC_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "MIDRC_TEST_POSTGRES is not set: run the tests with ./test.sh, which starts a throwaway PostgreSQL, or point the variable at a server you own.");

    /// <summary>A connection string for a new, empty database of this provider.</summary>
    public static string CreateEmpty(DatabaseProvider provider, string folder)
    {
        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                Directory.CreateDirectory(folder);
                return $"Data Source={Path.Combine(folder, $"test-{Guid.NewGuid():N}.db")}";
            case DatabaseProvider.PostgreSql:
                var name = $"midrc_test_{Guid.NewGuid():N}";
                using (var connection = new NpgsqlConnection(PostgresServer))
                {
                    connection.Open();
                    using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
                    create.ExecuteNonQuery();
                }
                return new NpgsqlConnectionStringBuilder(PostgresServer) { Database = name }.ConnectionString;
            default:
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "No test server for this provider here.");
        }
    }

    /// <summary>A migrated context of the provider's own type on a new database.</summary>
    public static async Task<MidrcDbContext> CreateMigratedAsync(DatabaseProvider provider, string folder)
    {
        var cs = CreateEmpty(provider, folder);
        var db = Open(provider, cs);
        await db.Database.MigrateAsync();
        return db;
    }

    /// <summary>Another context on the same database (a second writer).</summary>
    public static MidrcDbContext Open(DatabaseProvider provider, string connectionString) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteMidrcDbContext(DatabaseProviders.Configure(new DbContextOptionsBuilder<SqliteMidrcDbContext>(), provider, connectionString).Options),
        DatabaseProvider.PostgreSql => new PostgreSqlMidrcDbContext(DatabaseProviders.Configure(new DbContextOptionsBuilder<PostgreSqlMidrcDbContext>(), provider, connectionString).Options),
        _ => new SqlServerMidrcDbContext(DatabaseProviders.Configure(new DbContextOptionsBuilder<SqlServerMidrcDbContext>(), provider, connectionString).Options),
    };
}
