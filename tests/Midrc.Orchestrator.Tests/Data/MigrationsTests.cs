using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Data;

/// <summary>Each provider's migrations match the model; SQL Server, which cannot run here, is checked through its script.</summary>
public sealed class MigrationsTests
{
    public static TheoryData<DatabaseProvider> AllProviders => [DatabaseProvider.Sqlite, DatabaseProvider.PostgreSql, DatabaseProvider.SqlServer];

    [Theory]
    [MemberData(nameof(AllProviders))]
    public void Migrations_are_up_to_date_with_the_model(DatabaseProvider provider)
    {
        using var db = DesignTimeContext(provider);
        db.Database.HasPendingModelChanges().ShouldBeFalse(
            $"the model changed without a {provider} migration: run dotnet ef migrations add <Name> --project src/Midrc.Orchestrator --context {provider}MidrcDbContext --output-dir Data/Migrations/{provider}");
    }

    [Fact]
    public void The_SQL_Server_idempotent_script_creates_every_table_of_the_model()
    {
        using var db = DesignTimeContext(DatabaseProvider.SqlServer);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var tables = db.Model.GetEntityTypes().Select(t => t.GetTableName()).Distinct().ToList();
        tables.Count.ShouldBeGreaterThan(20);
        foreach (var table in tables)
        {
            script.ShouldContain($"CREATE TABLE [{table}]", customMessage: $"the SQL Server script does not create {table}");
        }
        script.ShouldContain("IF NOT EXISTS", customMessage: "an idempotent script guards every migration");
        script.ShouldContain("SELECT * FROM [__EFMigrationsHistory]");
        script.ShouldNotContain("ON DELETE CASCADE", customMessage: "SQL Server rejects multiple cascade paths; nothing cascades");
    }

    [Fact]
    public async Task A_SQLite_migration_lock_left_by_a_killed_process_does_not_stop_the_next_start()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "midrc.db");
        // What a process killed inside Migrate() leaves: EF Core's lock row, and no migration applied.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE "__EFMigrationsLock" ("Id" INTEGER NOT NULL CONSTRAINT "PK___EFMigrationsLock" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsLock" ("Id", "Timestamp") VALUES (1, '2026-12-01 10:00:00+00:00');
                """;
            await command.ExecuteNonQueryAsync();
        }
        using var host = Midrc.Orchestrator.Workflows.WorkflowsExtensions.CreateRuntimeBuilder("Testing", new Dictionary<string, string?>
        {
            ["Midrc:Database:Provider"] = "Sqlite",
            ["Midrc:Database:ConnectionString"] = $"Data Source={file};Pooling=false",
        }).Build();

        // Without its own lock the start would wait for the dead process forever; the guard only turns a hang into a failure.
        await host.Services.MigrateDatabaseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2));

        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
        (await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM \"__EFMigrationsLock\"").SingleAsync()).ShouldBe(0);
    }

    private static MidrcDbContext DesignTimeContext(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDesignTimeFactory().CreateDbContext([]),
        DatabaseProvider.PostgreSql => new PostgreSqlDesignTimeFactory().CreateDbContext([]),
        _ => new SqlServerDesignTimeFactory().CreateDbContext([]),
    };
}
