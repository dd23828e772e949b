using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Submissions;

namespace Midrc.Orchestrator.Tests.DicomWeb;

/// <summary>
/// A real DICOMweb client: Orthanc with its DICOMweb plugin (Debian's), configured with our server as a STOW-RS
/// destination and HTTP Basic authentication with the site's token as password, as a site's gateway would be.
/// </summary>
public sealed class OrthancStowTests
{
    private const string Orthanc = "/usr/sbin/Orthanc";
    private const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";

    [Fact]
    public async Task Orthanc_sends_a_study_by_STOW_RS_and_it_arrives_as_one_indexed_submission()
    {
        File.Exists(Orthanc).ShouldBeTrue("install Orthanc: apt-get install -y orthanc orthanc-dicomweb (test.sh does)");
        await using var host = await IntakeHost.StartAsync(kestrel: true);
        var server = host.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var folder = new TempFolder();
        var (httpPort, dicomPort) = (FreePort(), FreePort());
        var config = Path.Combine(folder.Path, "orthanc.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Name"] = "site-gateway",
            ["StorageDirectory"] = Path.Combine(folder.Path, "storage"),
            ["IndexDirectory"] = Path.Combine(folder.Path, "index"),
            ["HttpPort"] = httpPort,
            ["DicomPort"] = dicomPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["Plugins"] = new[] { DicomWebPlugin },
            ["DicomWeb"] = new Dictionary<string, object>
            {
                ["Enable"] = true,
                ["Servers"] = new Dictionary<string, object>
                {
                    ["midrc"] = new Dictionary<string, object> { ["Url"] = $"{server}/dicomweb/", ["Username"] = "uch-gateway", ["Password"] = host.UchToken },
                },
            },
        }));
        using var orthanc = Process.Start(new ProcessStartInfo(Orthanc, [config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var log = orthanc.StandardError.ReadToEndAsync();
        try
        {
            using var rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
            await WaitUntilUpAsync(rest, orthanc, log);
            var files = host.WriteCt(4);
            var ids = new List<string>();
            foreach (var file in files)
            {
                using var upload = await rest.PostAsync("/instances", new ByteArrayContent(File.ReadAllBytes(file)));
                upload.StatusCode.ShouldBe(HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
                ids.Add((await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ID").GetString()!);
            }

            using var stow = await rest.PostAsJsonAsync("/dicom-web/servers/midrc/stow", new Dictionary<string, object> { ["Resources"] = ids });

            stow.StatusCode.ShouldBe(HttpStatusCode.OK, await stow.Content.ReadAsStringAsync());
            using var client = host.Client(host.UchToken);
            var submission = await host.InDatabaseAsync(db => Task.FromResult(db.Submissions.Single()));
            submission.Channel.ShouldBe(SubmissionChannel.StowRs);
            (await host.IndexedAsync(client, submission.Id)).Counts.Instances.ShouldBe(4);
        }
        finally
        {
            orthanc.Kill();
            await orthanc.WaitForExitAsync();
        }
    }

    private static async Task WaitUntilUpAsync(HttpClient rest, Process orthanc, Task<string> log)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (orthanc.HasExited)
            {
                throw new InvalidOperationException($"Orthanc exited with code {orthanc.ExitCode}: {await log}");
            }
            try
            {
                using var response = await rest.GetAsync("/system");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("Orthanc did not answer within 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
