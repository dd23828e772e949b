using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Midrc.Orchestrator.Data;

/// <summary>The embedded default: one SQLite file under the data folder. Migrations in <c>Data/Migrations/Sqlite</c>.</summary>
public sealed class SqliteMidrcDbContext(DbContextOptions<SqliteMidrcDbContext> options) : MidrcDbContext(options)
{
    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset text; store it as a sortable 64-bit number.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>PostgreSQL: shared by several orchestrator processes. Migrations in <c>Data/Migrations/PostgreSql</c>.</summary>
public sealed class PostgreSqlMidrcDbContext(DbContextOptions<PostgreSqlMidrcDbContext> options) : MidrcDbContext(options);

/// <summary>SQL Server: the production target. Migrations in <c>Data/Migrations/SqlServer</c>.</summary>
public sealed class SqlServerMidrcDbContext(DbContextOptions<SqlServerMidrcDbContext> options) : MidrcDbContext(options);

/// <summary>Lets <c>dotnet ef</c> build the SQLite context without starting the host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteMidrcDbContext>
{
    public SqliteMidrcDbContext CreateDbContext(string[] args) =>
        new(DatabaseProviders.Configure(new DbContextOptionsBuilder<SqliteMidrcDbContext>(), DatabaseProvider.Sqlite, "Data Source=design.db").Options);
}

/// <summary>Lets <c>dotnet ef</c> build the PostgreSQL context without a server.</summary>
public sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlMidrcDbContext>
{
    public PostgreSqlMidrcDbContext CreateDbContext(string[] args) =>
        new(DatabaseProviders.Configure(new DbContextOptionsBuilder<PostgreSqlMidrcDbContext>(), DatabaseProvider.PostgreSql, "Host=localhost;Database=midrc").Options);
}

/// <summary>Lets <c>dotnet ef</c> build the SQL Server context without a server.</summary>
public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerMidrcDbContext>
{
    public SqlServerMidrcDbContext CreateDbContext(string[] args) =>
        new(DatabaseProviders.Configure(new DbContextOptionsBuilder<SqlServerMidrcDbContext>(), DatabaseProvider.SqlServer, "Server=localhost;Database=midrc;TrustServerCertificate=true").Options);
}
