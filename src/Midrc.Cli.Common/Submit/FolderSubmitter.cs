using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Midrc.Cli.Files;
using Midrc.Cli.Verify;
using Spectre.Console;
using Midrc.Curation.Reports;

namespace Midrc.Cli.Submit;

/// <summary>
/// Sends one folder as one submission: hashes every file, creates the submission (or resumes the one the folder's
/// state file names), asks the server which files it still needs, sends those in parallel batches with retries,
/// completes the submission and prints a summary.
/// </summary>
internal sealed class FolderSubmitter(SubmitOptions options, IAnsiConsole console)
{
    private const int Attempts = 4;
    private const int HashesPerRequest = 10_000;
    private const int BatchFiles = 100;
    private const long BatchBytes = 16 << 20;

    private sealed record LocalFile(string Path, string Name, long Size)
    {
        public string Sha256 { get; set; } = "";
    }

    private sealed record Sent(LocalFile File, bool Readable, string? Problem, string? Refusal = null);

    internal sealed record Submission(Guid Id, string Status);

    internal sealed record NewSubmission(Guid? SolicitationId, string Channel);

    internal sealed record HashList(IReadOnlyList<string> Sha256);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(options.Folder))
        {
            throw new SubmitException($"The folder '{options.Folder}' does not exist.");
        }
        if (string.IsNullOrWhiteSpace(options.Token))
        {
            throw new SubmitException("No API token: give your site's token with --token midrc_... or in the environment variable MIDRC_TOKEN.");
        }
        // The files midrc verify checks, no others: no symbolic link, hidden file (this folder's state file among them),
        // DICOMDIR or pipe is sent.
        var inputs = VerifyInputs.Find(options.Folder)!;
        if (inputs.SkippedNote() is { } skipped)
        {
            console.MarkupLine(Markup.Escape(skipped));
        }
        var files = inputs.Files.Select(p => new LocalFile(p, inputs.ReportName(p), new FileInfo(p).Length)).ToList();
        if (files.Count == 0)
        {
            throw new SubmitException($"The folder '{options.Folder}' holds no files to send.");
        }
        using var http = new HttpClient { BaseAddress = new Uri(options.Server.ToString().TrimEnd('/') + "/"), Timeout = TimeSpan.FromHours(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token.Trim());

        await WithProgressAsync("Computing checksums", files, file => file.Size, async (file, ct) => file.Sha256 = await FileHashes.Sha256Async(file.Path, ct), cancellationToken);
        var state = SubmitState.Load(options.Folder);
        var key = SubmitState.Key(options.Server, options.Folder);
        var submission = await ResumeOrCreateAsync(http, state, key, cancellationToken);
        if (submission.Status != "Receiving")
        {
            console.MarkupLine($"This folder was already sent as submission [bold]{submission.Id}[/], which is {Markup.Escape(submission.Status)}. To send it again as a new submission, delete {SubmitState.FileName} from the folder.");
            return 0;
        }
        var missing = await MissingAsync(http, submission.Id, files, cancellationToken);
        var toSend = files.Where(f => missing.Contains(f.Sha256)).ToList();
        var sent = new ConcurrentBag<Sent>();
        var refused = new ConcurrentDictionary<string, string>();
        var failed = new ConcurrentDictionary<string, string>();
        var clock = Stopwatch.StartNew();
        await WithProgressAsync("Sending", Batches(toSend), batch => batch.Sum(f => f.Size), async (batch, ct) =>
        {
            // A file the batch did not take (damaged on its way, refused, or the whole request failed) is sent again on
            // its own, which retries what may be transient and gives the server's final word on the rest.
            var again = batch.Count == 1 ? batch : await SendBatchAsync(http, submission.Id, batch, sent, ct);
            foreach (var file in again)
            {
                try
                {
                    var result = await SendAsync(http, submission.Id, file, ct);
                    if (result.Refusal is { } refusal)
                    {
                        refused[file.Name] = refusal;
                    }
                    else
                    {
                        sent.Add(result);
                    }
                }
                catch (Exception e) when (Unsent(e, ct))
                {
                    failed[file.Name] = e.Message;
                }
            }
        }, cancellationToken);
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        var bytes = sent.Sum(s => s.File.Size);
        var unreadable = sent.Where(s => !s.Readable).ToList();
        foreach (var (name, reason) in refused.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            console.MarkupLine($"[red]refused[/] {Markup.Escape(name)}: {Markup.Escape(reason)}");
        }
        foreach (var s in unreadable.OrderBy(s => s.File.Name, StringComparer.Ordinal))
        {
            console.MarkupLine($"[red]unreadable[/] {Markup.Escape(s.File.Name)}: {Markup.Escape(s.Problem ?? "not DICOM")}");
        }
        foreach (var (name, reason) in failed.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            console.MarkupLine($"[red]not sent[/] {Markup.Escape(name)}: {Markup.Escape(reason)}");
        }
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Submission {submission.Id}: {Plural.Count(sent.Count, "file")} sent, {Plural.Number(files.Count - toSend.Count)} skipped (already on the server), {Plural.Number(refused.Count + unreadable.Count)} rejected, {Plural.Number(failed.Count)} failed; {bytes / 1e6:0.0} MB in {seconds:0.0} s ({bytes / 1e6 / seconds:0.0} MB/s)."));
        if (!failed.IsEmpty)
        {
            console.WriteLine("Some files could not be sent. Run the same command again: it resumes and sends only what is missing.");
            return 2;
        }
        if (sent.IsEmpty && files.Count == toSend.Count)
        {
            console.WriteLine("Nothing was taken, so the submission was not completed.");
            return 1;
        }
        using (var complete = await http.PostAsync($"api/submissions/{submission.Id}/complete", null, cancellationToken))
        {
            await EnsureAsync(complete, cancellationToken);
        }
        console.WriteLine("Completed: the center now checks the submission; its findings will be listed for your site.");
        return refused.IsEmpty && unreadable.Count == 0 ? 0 : 1;
    }

    private async Task<Submission> ResumeOrCreateAsync(HttpClient http, SubmitState state, string key, CancellationToken cancellationToken)
    {
        if (state.Submissions.TryGetValue(key, out var known))
        {
            using var look = await http.GetAsync($"api/submissions/{known}", cancellationToken);
            if (look.StatusCode != HttpStatusCode.NotFound)
            {
                await EnsureAsync(look, cancellationToken);
                var existing = (await look.Content.ReadFromJsonAsync(SubmitJson.Default.Submission, cancellationToken))!;
                if (existing.Status == "Receiving")
                {
                    console.WriteLine($"Resuming submission {existing.Id}.");
                }
                return existing;
            }
        }
        using var create = await http.PostAsJsonAsync("api/submissions", new NewSubmission(options.Solicitation, "cli"), SubmitJson.Default.NewSubmission, cancellationToken);
        await EnsureAsync(create, cancellationToken);
        var created = (await create.Content.ReadFromJsonAsync(SubmitJson.Default.Submission, cancellationToken))!;
        state.Submissions[key] = created.Id;
        state.Save(options.Folder);
        return created;
    }

    private static async Task<HashSet<string>> MissingAsync(HttpClient http, Guid id, List<LocalFile> files, CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in files.Select(f => f.Sha256).Distinct(StringComparer.Ordinal).Chunk(HashesPerRequest))
        {
            using var response = await http.PostAsJsonAsync($"api/submissions/{id}/files/missing", new HashList(chunk), SubmitJson.Default.HashList, cancellationToken);
            await EnsureAsync(response, cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            missing.UnionWith(body.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()!));
        }
        return missing;
    }

    /// <summary>Sends one file, retrying what may be transient (network, 5xx, 429, a checksum mismatch); a refusal is final.</summary>
    private static async Task<Sent> SendAsync(HttpClient http, Guid id, LocalFile file, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var pause = TimeSpan.FromSeconds(attempt);
            try
            {
                using var content = new FileContent(file.Path, file.Size);
                using var request = new HttpRequestMessage(HttpMethod.Put, $"api/submissions/{id}/files/{file.Sha256}") { Content = content };
                request.Headers.Add("X-File-Name", Uri.EscapeDataString(file.Name));
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                    return Taken(file, body.RootElement);
                }
                // A checksum mismatch (422) may mean the file changed since it was hashed: it is hashed again below.
                if (!(Transient(response.StatusCode) || response.StatusCode == HttpStatusCode.UnprocessableEntity) || attempt == Attempts)
                {
                    var detail = await DetailAsync(response, cancellationToken);
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        throw new SubmitException(detail);
                    }
                    return new Sent(file, false, null, detail);
                }
                pause = PauseBefore(attempt, response);
            }
            catch (HttpRequestException) when (attempt < Attempts)
            {
                // Retried below, after a pause.
            }
            catch (IOException e) when (attempt < Attempts && e is not FileNotFoundException)
            {
                // The file was busy or the connection broke mid-file: retried below.
            }
            if (attempt >= 2)
            {
                // A checksum mismatch may mean the file changed since it was hashed: hash it again.
                file.Sha256 = await FileHashes.Sha256Async(file.Path, cancellationToken);
            }
            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>
    /// Files grouped into requests of up to <see cref="BatchFiles"/> files and <see cref="BatchBytes"/>, fewer bytes
    /// when the folder is small, so that every parallel request has work; a large file goes on its own.
    /// </summary>
    private List<IReadOnlyList<LocalFile>> Batches(List<LocalFile> files)
    {
        var limit = Math.Clamp(files.Sum(f => f.Size) / (2 * options.Parallel), 1, BatchBytes);
        var batches = new List<IReadOnlyList<LocalFile>>();
        var batch = new List<LocalFile>();
        long bytes = 0;
        foreach (var file in files)
        {
            if (batch.Count > 0 && (batch.Count == BatchFiles || bytes + file.Size > limit))
            {
                batches.Add(batch);
                (batch, bytes) = ([], 0);
            }
            batch.Add(file);
            bytes += file.Size;
        }
        if (batch.Count > 0)
        {
            batches.Add(batch);
        }
        return batches;
    }

    /// <summary>
    /// Sends several files in one multipart request, each with its SHA-256 as Content-Digest, retrying the request
    /// when the failure may be transient. Returns the files the server did not take, to be sent one by one.
    /// </summary>
    private static async Task<IReadOnlyList<LocalFile>> SendBatchAsync(HttpClient http, Guid id, IReadOnlyList<LocalFile> batch, ConcurrentBag<Sent> sent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var form = new MultipartFormDataContent();
            foreach (var file in batch)
            {
                var part = new FileContent(file.Path, file.Size);
                // RFC 9530: the server takes the file only when its bytes hash to this.
                part.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256))}:");
                form.Add(part, "files", file.Name);
            }
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsync($"api/submissions/{id}/uploads", form, cancellationToken);
            }
            catch (Exception e) when (Unsent(e, cancellationToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
                continue;
            }
            using (response)
            {
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity)
                {
                    using var body = await BodyAsync(response, cancellationToken);
                    if (body is null)
                    {
                        return batch;
                    }
                    var taken = body.RootElement.GetProperty("files").EnumerateArray()
                        .ToLookup(f => f.GetProperty("sha256").GetString(), StringComparer.Ordinal);
                    var left = new List<LocalFile>();
                    foreach (var file in batch)
                    {
                        if (taken[file.Sha256].FirstOrDefault() is { ValueKind: JsonValueKind.Object } outcome)
                        {
                            sent.Add(Taken(file, outcome));
                        }
                        else
                        {
                            left.Add(file);
                        }
                    }
                    return left;
                }
                if (!Transient(response.StatusCode))
                {
                    // Not a failure of the moment (a server without batches, a refused token): each file on its own says what.
                    return batch;
                }
                await Task.Delay(PauseBefore(attempt, response), cancellationToken);
            }
        }
        return batch;
    }

    /// <summary>What the server says of a file it took: whether it could read it as DICOM, and if not, why.</summary>
    private static Sent Taken(LocalFile file, JsonElement outcome) =>
        new(file, outcome.GetProperty("readable").GetBoolean(), outcome.TryGetProperty("problem", out var problem) ? problem.GetString() : null);

    /// <summary>A failure of the moment, worth the same request again: the server's own trouble, throttling, a timeout.</summary>
    private static bool Transient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;

    /// <summary>
    /// How long to wait before another attempt: a second more each time, or what a throttling server asks for, up to a
    /// minute (longer is not worth waiting for here).
    /// </summary>
    private static TimeSpan PauseBefore(int attempt, HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } after ? TimeSpan.FromSeconds(Math.Min(after.TotalSeconds, 60)) : TimeSpan.FromSeconds(attempt);

    /// <summary>
    /// What stops one request without stopping the command: the network, the server, a timeout, a file that went away
    /// or changed size since it was hashed, or an answer that is not the server's JSON (a proxy's page).
    /// </summary>
    private static bool Unsent(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException or UnauthorizedAccessException or JsonException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>The answer's JSON, or null when it is not JSON (a proxy's error page).</summary>
    private static async Task<JsonDocument?> BodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task WithProgressAsync<T>(string what, IReadOnlyList<T> items, Func<T, long> size, Func<T, CancellationToken, Task> work, CancellationToken cancellationToken) =>
        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(what, maxValue: Math.Max(1, items.Sum(size)));
                await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Parallel, CancellationToken = cancellationToken }, async (item, ct) =>
                {
                    await work(item, ct);
                    task.Increment(size(item));
                });
                task.Value = task.MaxValue;
            });

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new SubmitException(await DetailAsync(response, cancellationToken));
        }
    }

    /// <summary>The server's problem detail (written for a coordinator), or the status when it sent none.</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Without problem details (a proxy's error page), the status says what there is to say.
        using var problem = await BodyAsync(response, cancellationToken);
        return problem?.RootElement.ValueKind == JsonValueKind.Object
            && problem.RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } message
            ? message
            : $"the server answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }
}

/// <summary>The JSON <c>midrc submit</c> exchanges with the server, serialized without reflection (the native midrc).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FolderSubmitter.Submission))]
[JsonSerializable(typeof(FolderSubmitter.NewSubmission))]
[JsonSerializable(typeof(FolderSubmitter.HashList))]
internal sealed partial class SubmitJson : JsonSerializerContext;
