using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>
/// The real host with two active sites (UCH and MUC), a data request and an API token each, and a folder for the
/// DICOM files a test generates. Sites talk to it over HTTP exactly as their tools do. Hangfire's in-memory storage
/// and activator are process-wide, so several hosts in one test process cannot each run a job server: the host runs
/// none, and <see cref="RunEnqueuedJobsAsync"/> performs the jobs the API enqueued, as Hangfire would.
/// </summary>
public sealed class IntakeHost : IAsyncDisposable
{
    private readonly TempFolder _files = new();
    private readonly SyntheticDicomWriter _writer = new(new SyntheticDicomOptions { SiteCode = "UCH", ChestSize = 256 });
    private int _written;

    private EnqueuedJobs? _jobs;

    private IntakeHost(OrchestratorFactory factory) => Factory = factory;

    public OrchestratorFactory Factory { get; }
    public string UchToken { get; private set; } = "";
    public string MucToken { get; private set; } = "";
    public Guid UchTokenId { get; private set; }
    public Guid UchRequest { get; private set; }
    public Guid MucRequest { get; private set; }
    public string FilesFolder => _files.Path;

    /// <summary>
    /// Starts the host (on a real loopback port when <paramref name="kestrel"/>, for clients outside this process), on
    /// <paramref name="clock"/> when given.
    /// </summary>
    public static async Task<IntakeHost> StartAsync(DatabaseProvider provider = DatabaseProvider.Sqlite, IReadOnlyDictionary<string, string?>? settings = null, bool kestrel = false, TimeProvider? clock = null)
    {
        var values = new Dictionary<string, string?> { ["Midrc:Jobs:RunServer"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var host = new IntakeHost(new OrchestratorFactory(provider, values, clock));
        if (kestrel)
        {
            host.Factory.UseKestrel(0);
        }
        host.Factory.CreateClient().Dispose();
        await using var scope = host.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var program = new CollectionProgram { Code = "TEST", Name = "Test program", CreatedAt = now };
        db.Programs.Add(program);
        foreach (var code in new[] { "UCH", "MUC" })
        {
            var site = new Site { ProgramId = program.Id, Code = code, Name = code, Institution = code, Country = "US", TimeZone = "UTC", Stage = SiteStage.Active, CreatedAt = now };
            db.Sites.Add(site);
            var request = new Solicitation { SiteId = site.Id, Title = $"{code} chest imaging", Modalities = "CR,DX,CT", Status = SolicitationStatus.InProgress, CreatedBy = "pm@test.example", CreatedAt = now, DueAt = now.AddDays(30) };
            db.Solicitations.Add(request);
            if (code == "UCH")
            {
                host.UchRequest = request.Id;
            }
            else
            {
                host.MucRequest = request.Id;
            }
        }
        await db.SaveChangesAsync();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokens>();
        var uch = await tokens.CreateAsync("UCH", "tests", "pm@test.example", CancellationToken.None);
        host.UchToken = uch.Token;
        host.UchTokenId = uch.Id;
        host.MucToken = (await tokens.CreateAsync("MUC", "tests", "pm@test.example", CancellationToken.None)).Token;
        return host;
    }

    /// <summary>A client that presents the token as a Bearer token (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = Factory.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    public async Task<T> InDatabaseAsync<T>(Func<MidrcDbContext, Task<T>> query)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<MidrcDbContext>());
    }

    /// <summary>A new CT series of UCH's next patient.</summary>
    public IReadOnlyList<string> WriteCt(int slices) =>
        _writer.WriteCtSeries(Path.Combine(_files.Path, $"ct-{Interlocked.Increment(ref _written)}"), slices, _written).Files;

    /// <summary>A new chest radiograph of UCH's next patient.</summary>
    public string WriteChest() =>
        _writer.WriteChestRadiograph(Path.Combine(_files.Path, $"cxr-{Interlocked.Increment(ref _written)}"), _written).Files[0];

    /// <summary>A file of the given bytes in the test's folder.</summary>
    public string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_files.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static async Task<Guid> CreateSubmissionAsync(HttpClient client, object? body = null)
    {
        using var response = await client.PostAsJsonAsync("/api/submissions", body ?? new { });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CreatedSubmission>())!.Id;
    }

    public static Task<HttpResponseMessage> PutFileAsync(HttpClient client, Guid submission, string path, string? sha256 = null) =>
        PutBytesAsync(client, submission, File.ReadAllBytes(path), Path.GetFileName(path), sha256);

    public static async Task<HttpResponseMessage> PutBytesAsync(HttpClient client, Guid submission, byte[] bytes, string name, string? sha256 = null)
    {
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/submissions/{submission}/files/{sha256 ?? Sha256(bytes)}") { Content = content };
        request.Headers.Add("X-File-Name", Uri.EscapeDataString(name));
        return await client.SendAsync(request);
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    public static async Task<SubmissionView> GetAsync(HttpClient client, Guid submission)
    {
        using var response = await client.GetAsync($"/api/submissions/{submission}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SubmissionView>())!;
    }

    /// <summary>Sends the files as a new submission of <paramref name="site"/>'s token, completes it and runs every job that follows.</summary>
    public async Task<Guid> SubmitAsync(HttpClient site, object? body, params string[] files)
    {
        var id = await CreateSubmissionAsync(site, body);
        foreach (var file in files)
        {
            using var put = await PutFileAsync(site, id, file);
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        }
        using (var response = await site.PostAsync($"/api/submissions/{id}/complete", null))
        {
            response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        }
        await RunAllJobsAsync();
        return id;
    }

    /// <summary>Completes the submission and runs the indexing job it enqueued.</summary>
    public async Task<SubmissionView> CompleteAsync(HttpClient client, Guid submission)
    {
        using var response = await client.PostAsync($"/api/submissions/{submission}/complete", null);
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await IndexedAsync(client, submission);
    }

    /// <summary>Runs the enqueued jobs, then expects the submission to be received and its QA started by its workflow.</summary>
    public async Task<SubmissionView> IndexedAsync(HttpClient client, Guid submission)
    {
        (await RunEnqueuedJobsAsync()).ShouldBeGreaterThan(0, "completing a submission enqueues its indexing job");
        var view = await GetAsync(client, submission);
        view.Status.ShouldBe(nameof(SubmissionStatus.QaRunning));
        return view;
    }

    /// <summary>Performs every enqueued job not performed yet, as Hangfire would; returns how many.</summary>
    public Task<int> RunEnqueuedJobsAsync() => (_jobs ??= new EnqueuedJobs(Factory.Services)).RunAsync();

    /// <summary>Runs enqueued jobs, and the jobs they enqueue, until none is left.</summary>
    public async Task RunAllJobsAsync()
    {
        while (await RunEnqueuedJobsAsync() > 0)
        {
        }
    }

    public async Task<int> CountAsync<TEntity>(Func<IQueryable<TEntity>, IQueryable<TEntity>>? filter = null)
        where TEntity : class =>
        await InDatabaseAsync(db => (filter ?? (q => q))(db.Set<TEntity>()).CountAsync());

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        _files.Dispose();
    }
}
