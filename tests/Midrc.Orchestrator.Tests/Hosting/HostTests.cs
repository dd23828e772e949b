using System.Net;
using System.Text.Json;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Notifications;

namespace Midrc.Orchestrator.Tests.Hosting;

/// <summary>The real host, started in memory on each real database.</summary>
public sealed class HostTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task Health_is_200_when_database_jobs_and_storage_are_usable(DatabaseProvider provider)
    {
        await using var factory = new OrchestratorFactory(provider);
        using var client = factory.CreateClient();

        // The job server announces itself a moment after start-up, as a load balancer would see.
        var response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        for (var attempt = 0; attempt < 60 && response.StatusCode != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(250);
            response = await client.GetAsync(new Uri("/health", UriKind.Relative));
        }
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks");
        foreach (var name in new[] { "database", "jobs", "storage" })
        {
            checks.GetProperty(name).GetProperty("status").GetString().ShouldBe("Healthy");
        }
        checks.GetProperty("database").GetProperty("description").GetString().ShouldNotBeNull().ShouldContain(provider.ToString());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_api()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        json.RootElement.GetProperty("paths").TryGetProperty("/api/sites", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("Midrc__Database__Provider", "Oracle", "Setting Midrc:Database:Provider is 'Oracle'")]
    [InlineData("Midrc__Jobs__WorkerCount", "0", "Setting Midrc:Jobs:WorkerCount must be between 1 and 64")]
    [InlineData("Midrc__PublicUrl", "not a url", "Setting Midrc:PublicUrl must be an absolute http(s) address")]
    public async Task A_wrong_setting_stops_start_up_with_a_message_naming_the_key(string key, string value, string expected)
    {
        using var folder = new TempFolder();

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string> { [key] = value }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain(expected);
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task An_unreachable_database_stops_start_up_with_one_plain_message()
    {
        using var folder = new TempFolder();
        var settings = new Dictionary<string, string>
        {
            ["Midrc__Database__Provider"] = "PostgreSql",
            ["Midrc__Database__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none;Username=u;Password=hunter2;Timeout=2",
        };

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, settings, TimeSpan.FromSeconds(90), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2);
        outcome.Error.ShouldContain("Cannot open the database PostgreSql");
        outcome.Error.ShouldContain("Check that the server is running");
        (outcome.Output + outcome.Error).ShouldNotContain("hunter2", customMessage: "passwords never appear in messages");
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task An_occupied_port_stops_start_up_with_one_plain_message()
    {
        using var folder = new TempFolder();
        using var occupier = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string>(), TimeSpan.FromSeconds(60), "--urls", $"http://127.0.0.1:{port}");

        outcome.ExitCode.ShouldBe(2);
        outcome.Error.ShouldContain($"127.0.0.1:{port}");
        outcome.Error.ShouldContain("Another program is using that port");
        AssertNoStackTrace(outcome);
    }

    [Fact]
    public async Task The_host_watches_no_folder_so_its_data_folder_may_hold_any_number_of_folders()
    {
        using var folder = new TempFolder();
        var port = LoopbackSmtpServer.FreePort();
        // The data folder under the working directory, as ./run.sh has it.
        var environment = new Dictionary<string, string> { ["Midrc__DataFolder"] = "data", ["Midrc__SeedDemo"] = "true" };
        await using var host = HostProcess.StartOrchestrator(folder.Path, environment, "--urls", $"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await host.WaitUntilAsync(async () =>
        {
            try
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
                return true;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), "answering /health");

        Directory.EnumerateDirectories(Path.Combine(folder.Path, "data"), "*", SearchOption.AllDirectories).ShouldNotBeEmpty("the demo's release and quarantine folders");
        InotifyWatches(host.Id).ShouldBe(0, "one watch per stored folder would run into the system's limit and cost an event per file received");
    }

    /// <summary>The inotify watches a process holds, from its open descriptors' details in /proc.</summary>
    private static int InotifyWatches(int pid) =>
        Directory.EnumerateFiles($"/proc/{pid}/fdinfo").Sum(descriptor =>
        {
            try
            {
                return File.ReadLines(descriptor).Count(line => line.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // Closed while we looked.
                return 0;
            }
        });

    private static void AssertNoStackTrace(HostProcess.Outcome outcome) =>
        (outcome.Output + outcome.Error).ShouldNotContain("   at ", customMessage: "an operator gets one plain message, not a stack trace");
}
