using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Cli.Tests.Operations;

/// <summary>
/// The operator commands as an operator runs them: the real <c>midrc</c> process, in a working
/// directory whose <c>data/midrc.db</c> is the database (as after ./run.sh).
/// </summary>
public sealed class OperatorCommandsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Sites_list_prints_json_in_the_fixed_shape()
    {
        await SeedAsync(("UCH", "University of Chicago Medicine", SiteStage.Active), ("OSL", "Oslo University Hospital", SiteStage.Invited));

        var (exit, output, error) = await RunAsync("sites", "list", "--format", "json");

        exit.ShouldBe(0, error);
        using var json = JsonDocument.Parse(output);
        var sites = json.RootElement.EnumerateArray().Select(e => (e.GetProperty("code").GetString(), e.GetProperty("name").GetString(), e.GetProperty("stage").GetString())).ToList();
        sites.ShouldBe([("OSL", "Oslo University Hospital", "Invited"), ("UCH", "University of Chicago Medicine", "Active")]);
    }

    [Fact]
    public async Task Sites_list_prints_a_table_by_default()
    {
        await SeedAsync(("UCH", "University of Chicago Medicine", SiteStage.Active));

        var (exit, output, _) = await RunAsync("sites", "list");

        exit.ShouldBe(0);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldStartWith("CODE");
        lines[1].ShouldContain("University of Chicago Medicine");
        lines[1].ShouldEndWith("Active");
    }

    [Fact]
    public async Task Tokens_create_prints_the_token_alone_on_the_last_line_and_stores_only_its_hash()
    {
        await SeedAsync(("UCH", "University of Chicago Medicine", SiteStage.Active));

        var (exit, output, error) = await RunAsync("tokens", "create", "--site", "UCH");

        exit.ShouldBe(0, error);
        var token = output.TrimEnd().Split('\n')[^1];
        token.ShouldStartWith("midrc_uch_");
        token.ShouldNotContain(" ");
        await using var db = Open();
        var stored = await db.ApiTokens.SingleAsync();
        stored.Hash.ShouldNotBe(token);
        token.ShouldStartWith(stored.Prefix);
        (await db.AuditEvents.SingleAsync()).Action.ShouldBe("token.created");
    }

    [Theory]
    [InlineData(new[] { "tokens", "create", "--site", "NOPE" }, 2, "There is no site with code 'NOPE'")]
    [InlineData(new[] { "tokens", "create" }, 1, "--site")]
    [InlineData(new[] { "sites", "list", "--format", "xml" }, 1, "'xml' not recognized")]
    [InlineData(new[] { "sites", "lst" }, 1, "Unrecognized command or argument 'lst'")]
    public async Task Bad_arguments_get_a_clear_error_and_a_non_zero_exit(string[] args, int expectedExit, string expected)
    {
        await SeedAsync(("UCH", "University of Chicago Medicine", SiteStage.Active));

        var (exit, output, error) = await RunAsync(args);

        exit.ShouldBe(expectedExit);
        (output + error).ShouldContain(expected);
    }

    [Fact]
    public async Task An_unreachable_database_is_one_plain_line_and_exit_code_2()
    {
        var (exit, output, error) = await RunAsync(
            new Dictionary<string, string> { ["Midrc__Database__Provider"] = "PostgreSql", ["Midrc__Database__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=x;Username=u;Timeout=1" },
            "sites", "list");

        exit.ShouldBe(2);
        error.ShouldStartWith("midrc: Cannot open the database PostgreSql");
        (output + error).ShouldNotContain("   at ");
    }

    private string DatabasePath => Path.Combine(_folder.Path, "data", "midrc.db");

    private MidrcDbContext Open() => TestDatabases.Open(DatabaseProvider.Sqlite, $"Data Source={DatabasePath}");

    private async Task SeedAsync(params (string Code, string Name, SiteStage Stage)[] sites)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        await using var db = Open();
        await db.Database.MigrateAsync();
        var now = DateTimeOffset.UtcNow;
        var program = new CollectionProgram { Code = "MIDRC", Name = "MIDRC", CreatedAt = now };
        db.Programs.Add(program);
        foreach (var (code, name, stage) in sites)
        {
            db.Sites.Add(new Site { ProgramId = program.Id, Code = code, Name = name, Institution = name, Country = "US", TimeZone = "UTC", Stage = stage, CreatedAt = now });
        }
        await db.SaveChangesAsync();
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    private async Task<(int Exit, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var outcome = await HostProcess.RunAsync("midrc.dll", _folder.Path, environment, TimeSpan.FromSeconds(90), args);
        return (outcome.ExitCode, outcome.Output, outcome.Error);
    }
}
