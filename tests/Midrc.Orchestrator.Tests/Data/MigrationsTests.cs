using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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

    private static MidrcDbContext DesignTimeContext(DatabaseProvider provider) => provider switch
    {
        DatabaseProvider.Sqlite => new SqliteDesignTimeFactory().CreateDbContext([]),
        DatabaseProvider.PostgreSql => new PostgreSqlDesignTimeFactory().CreateDbContext([]),
        _ => new SqlServerDesignTimeFactory().CreateDbContext([]),
    };
}
