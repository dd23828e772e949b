using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Midrc.Curation.Workers;

/// <summary>
/// One running worker: its process and the two ends of the protocol. A thread of its own reads the worker's answers
/// with blocking reads and parses them from UTF-8 straight away; the pool takes them from a channel. (Awaiting each
/// line of the pipe instead cost a wake-up of the socket engine, a thread-pool hop and two text conversions per file,
/// which made this process, not the workers, the bottleneck of a folder of small files.)
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private const byte NewLine = (byte)'\n';
    private readonly Process _process;
    private readonly Channel<WorkerLine> _lines = Channel.CreateUnbounded<WorkerLine>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private WorkerProcess(Process process)
    {
        _process = process;
        new Thread(ReadLines) { IsBackground = true, Name = "curation worker output" }.Start();
    }

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
            if (e is OperationCanceledException)
            {
                // Stopped while it starts (Ctrl-C, or the pool disposed): not worth waiting for it to get ready and leave.
                worker.Kill();
            }
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
            while (await _lines.Reader.WaitToReadAsync(timeout.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (line.Text == CurationWorker.ReadyLine)
                    {
                        return;
                    }
                    if (line.Text?.StartsWith(CurationWorker.CannotStartPrefix, StringComparison.Ordinal) == true)
                    {
                        throw new InvalidOperationException($"it cannot build its checks: {line.Text[CurationWorker.CannotStartPrefix.Length..]}");
                    }
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
        while (await _lines.Reader.WaitToReadAsync(cancellationToken))
        {
            while (_lines.Reader.TryRead(out var line))
            {
                if (line.Result is { } result)
                {
                    return result;
                }
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

    /// <summary>
    /// Reads the worker's stdout until it closes (the worker exited, crashed or was killed), one line at a time:
    /// results are parsed here, other lines (readiness, start-up failures) are passed on as text.
    /// </summary>
    private void ReadLines()
    {
        var output = _process.StandardOutput.BaseStream;
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        try
        {
            while (true)
            {
                var newLine = buffer.AsSpan(start, end - start).IndexOf(NewLine);
                if (newLine >= 0)
                {
                    _lines.Writer.TryWrite(Parse(buffer.AsSpan(start, newLine)));
                    start += newLine + 1;
                    continue;
                }
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
                else if (end == buffer.Length)
                {
                    // A result with thousands of findings: the buffer grows to hold the whole line.
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = output.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    return;
                }
                end += read;
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The pipe broke or was closed with the process: the worker has gone either way.
            return;
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    private static WorkerLine Parse(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] != (byte)'{')
        {
            return new WorkerLine(Encoding.UTF8.GetString(line.TrimEnd((byte)'\r')), null);
        }
        try
        {
            return new WorkerLine(null, JsonSerializer.Deserialize(line, WorkerJsonContext.Default.WorkerResult));
        }
        catch (JsonException)
        {
            return new WorkerLine(null, null);
        }
    }

    /// <summary>One line from the worker: a parsed result, or the text of a line that is not one.</summary>
    private readonly record struct WorkerLine(string? Text, WorkerResult? Result);
}
