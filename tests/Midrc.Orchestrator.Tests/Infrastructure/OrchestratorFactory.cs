using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>
/// The real host in memory, on a real database of the chosen provider, with its data folder under /tmp.
/// Settings are given exactly as an operator would give them; <paramref name="clock"/>, when given, is the clock every
/// service reads (a test's fake clock, the one seam replaced).
/// </summary>
public sealed class OrchestratorFactory(DatabaseProvider provider = DatabaseProvider.Sqlite, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    : WebApplicationFactory<Program>
{
    private readonly TempFolder _folder = new();

    public string DataFolder => _folder.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // As strict as Development: every registration must be resolvable, scopes respected.
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateOnBuild = true;
            o.ValidateScopes = true;
        });
        var values = new Dictionary<string, string?>
        {
            ["Midrc:DataFolder"] = _folder.Path,
            ["Midrc:Database:Provider"] = provider.ToString(),
            ["Midrc:Database:ConnectionString"] = provider == DatabaseProvider.Sqlite ? "" : TestDatabases.CreateEmpty(provider, _folder.Path),
            ["Midrc:Jobs:PollInterval"] = "00:00:00.200",
            // The test runner is not the host executable: workers run the host's assembly from the test output.
            ["Midrc:Intake:WorkerAssembly"] = Path.Combine(AppContext.BaseDirectory, "Midrc.Orchestrator.dll"),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        // UseSetting reaches the host's configuration before Program reads it (ConfigureAppConfiguration would arrive after).
        foreach (var (key, value) in values)
        {
            builder.UseSetting(key, value);
        }
        if (clock is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _folder.Dispose();
        }
    }
}
