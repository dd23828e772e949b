using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Midrc.Curation.Workers;

/// <summary>One running worker: its process and the two ends of the protocol.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WorkerProcess(Process process) => _process = process;

    public static async Task<WorkerProcess> StartAsync(WorkerCommand command, CurationWorkerPoolOptions options, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in options.Environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"The curation worker '{command.FileName}' could not be started.");
        var worker = new WorkerProcess(process);
        try
        {
            await worker.SendAsync(JsonSerializer.Serialize(new WorkerHello(options.ChecksSettings, options.ReaderOptions), WorkerJsonContext.Default.WorkerHello), cancellationToken);
            await worker.WaitUntilReadyAsync(options.FileTimeout, cancellationToken);
            return worker;
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or IOException)
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Waits for the worker to say it is ready: a runtime starting on a busy machine can take seconds, which must not
    /// count against the first file's time limit (a clean file would be reported as timed out).
    /// </summary>
    private async Task WaitUntilReadyAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line == CurationWorker.ReadyLine)
                {
                    return;
                }
                if (line.StartsWith(CurationWorker.CannotStartPrefix, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"it cannot build its checks: {line[CurationWorker.CannotStartPrefix.Length..]}");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw new InvalidOperationException($"it did not start within {limit.TotalSeconds:0.#} s");
        }
        throw new InvalidOperationException($"it exited while starting ({await DescribeExitAsync()})");
    }

    public Task SendAsync(WorkerBatch batch, CancellationToken cancellationToken) =>
        SendAsync(JsonSerializer.Serialize(batch, WorkerJsonContext.Default.WorkerBatch), cancellationToken);

    /// <summary>The next result, or null when the worker has gone (crashed or exited). Lines that are not results are skipped.</summary>
    public async Task<WorkerResult?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            if (TryParse(line) is { } result)
            {
                return result;
            }
        }
        return null;
    }

    /// <summary>How the process ended, for the unreadable reason of the file it died on.</summary>
    public async Task<string> DescribeExitAsync()
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return $"exit code {_process.ExitCode}";
        }
        catch (OperationCanceledException)
        {
            return "it stopped answering";
        }
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited: nothing left to kill.
            return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing stdin asks the worker to finish; a worker that does not is killed.
            _process.StandardInput.Close();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Kill();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task SendAsync(string line, CancellationToken cancellationToken)
    {
        await _process.StandardInput.WriteLineAsync(line.AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
    }

    private static WorkerResult? TryParse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(line, WorkerJsonContext.Default.WorkerResult);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
