using System.Text.Json;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>The intake's limits are checked when the host starts, and its endpoints are described in OpenAPI.</summary>
public sealed class IntakeSettingsTests
{
    [Theory]
    [InlineData("Midrc__Intake__MaxSubmissionBytes", "1024", "Setting Midrc:Intake:MaxSubmissionBytes must be at least Midrc:Intake:MaxFileBytes")]
    [InlineData("Midrc__Intake__Workers", "0", "Setting Midrc:Intake:Workers must be between 1 and 64")]
    [InlineData("Midrc__Intake__WorkerAssembly", "/nowhere/worker.dll", "Setting Midrc:Intake:WorkerAssembly names '/nowhere/worker.dll', which does not exist")]
    public async Task A_wrong_intake_setting_stops_start_up_naming_the_key(string key, string value, string expected)
    {
        using var folder = new TempFolder();

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string> { [key] = value }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain(expected);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_upload_api_and_STOW_RS()
    {
        await using var factory = new OrchestratorFactory();
        using var client = factory.CreateClient();

        using var json = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));

        var paths = json.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/submissions");
        paths.ShouldContain("/api/submissions/{id}/files/{sha256}");
        paths.ShouldContain("/api/submissions/{id}/uploads");
        paths.ShouldContain("/api/clinical/templates/{file}");
        paths.ShouldContain("/dicomweb/studies");
        paths.ShouldContain("/dicomweb/studies/{study}");
    }
}
