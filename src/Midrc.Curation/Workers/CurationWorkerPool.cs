using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Midrc.Curation.Workers;

/// <summary>
/// A long-lived pool of worker processes that read untrusted DICOM files, so that a parser crash (Debian's GDCM calls
/// <c>abort()</c> on some malformed files) or a hang costs one file, never the host. A worker that dies or times out
/// is replaced; its file is reported unreadable and the rest of the batch carries on.
/// </summary>
/// <example>
/// <code>
/// await using var pool = new CurationWorkerPool(new CurationWorkerPoolOptions { ChecksSettings = "..." });
/// await foreach (var analysis in pool.AnalyzeAsync(paths, cancellationToken)) { ... }
/// </code>
/// </example>
public sealed class CurationWorkerPool : IAsyncDisposable
{
    private readonly CurationWorkerPoolOptions _options;
    private readonly WorkerCommand _command;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private int _disposed;

    /// <summary>Starts the pool; worker processes start on first use.</summary>
    public CurationWorkerPool(CurationWorkerPoolOptions? options = null)
    {
        _options = options ?? new CurationWorkerPoolOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.WorkerCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.FileTimeout, TimeSpan.Zero);
        _command = _options.Command ?? WorkerCommand.ForCurrentProcess();
        _workers = [.. Enumerable.Range(0, _options.WorkerCount).Select(_ => Task.Run(ServeQueueAsync))];
    }

    /// <summary>
    /// Analyses the files, yielding each result as soon as a worker finishes it (not in input order), so callers can show
    /// progress. Every path yields exactly one <see cref="FileAnalysis"/>.
    /// </summary>
    public async IAsyncEnumerable<FileAnalysis> AnalyzeAsync(IEnumerable<string> paths, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var all = paths.ToList();
        if (all.Count == 0)
        {
            yield break;
        }
        var results = Channel.CreateUnbounded<FileAnalysis>(new UnboundedChannelOptions { SingleReader = true });
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Small calls are spread over every worker; large ones go in batches of BatchSize.
        var batchSize = Math.Clamp((all.Count + _options.WorkerCount - 1) / _options.WorkerCount, 1, _options.BatchSize);
        foreach (var chunk in all.Chunk(batchSize))
        {
            await _queue.Writer.WriteAsync(new WorkItem(chunk, results.Writer, call.Token), cancellationToken);
        }
        try
        {
            for (var remaining = all.Count; remaining > 0; remaining--)
            {
                yield return await NextAsync(results.Reader, cancellationToken);
            }
        }
        finally
        {
            // Batches of an abandoned or cancelled call that no worker has taken yet are skipped.
            await call.CancelAsync();
        }
    }

    private static async Task<FileAnalysis> NextAsync(ChannelReader<FileAnalysis> results, CancellationToken cancellationToken)
    {
        try
        {
            return await results.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException closed) when (closed.InnerException is not null)
        {
            // A worker gave up on this call (it could not start, or the pool was disposed): surface its reason.
            ExceptionDispatchInfo.Throw(closed.InnerException);
            throw;
        }
    }

    /// <summary>Analyses the files and returns every result once all are done (in completion order).</summary>
    public async Task<IReadOnlyList<FileAnalysis>> AnalyzeAllAsync(IEnumerable<string> paths, CancellationToken cancellationToken = default)
    {
        var results = new List<FileAnalysis>();
        await foreach (var analysis in AnalyzeAsync(paths, cancellationToken))
        {
            results.Add(analysis);
        }
        return results;
    }

    /// <summary>Stops the workers (they finish their current file) and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await Task.WhenAll(_workers);
        _stopping.Dispose();
    }

    private async Task ServeQueueAsync()
    {
        var slot = new WorkerSlot();
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync())
            {
                if (item.Cancellation.IsCancellationRequested)
                {
                    continue;
                }
                try
                {
                    await RunBatchAsync(slot, item);
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
                {
                    // Disposing: the file in progress is abandoned, so its worker is stopped rather than awaited.
                    item.Results.TryComplete(Disposed());
                    await slot.ReplaceAsync();
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The worker could not be started or spoken to: the caller learns why instead of waiting forever.
                    item.Results.TryComplete(new InvalidOperationException($"The curation worker '{_command.FileName}' failed: {e.Message}", e));
                    await slot.ReplaceAsync();
                }
            }
            while (_queue.Reader.TryRead(out var abandoned))
            {
                abandoned.Results.TryComplete(Disposed());
            }
        }
        finally
        {
            if (slot.Process is not null)
            {
                await slot.Process.DisposeAsync();
            }
        }
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(CurationWorkerPool), "The worker pool was disposed before these files were analysed.");

    /// <summary>Runs one batch to the end, replacing the worker after a crash or a timeout.</summary>
    private async Task RunBatchAsync(WorkerSlot slot, WorkItem item)
    {
        var next = 0;
        while (next < item.Paths.Length)
        {
            var worker = slot.Process ??= await WorkerProcess.StartAsync(_command, _options, _stopping.Token);
            var sent = item.Paths[next..];
            try
            {
                await worker.SendAsync(new WorkerBatch(sent), _stopping.Token);
            }
            catch (IOException)
            {
                // The worker died between batches: start a fresh one and send again.
                await slot.ReplaceAsync();
                continue;
            }
            var failure = await ReceiveBatchAsync(worker, sent, item.Results);
            next += failure.Completed;
            if (failure.Analysis is null)
            {
                continue;
            }
            item.Results.TryWrite(failure.Analysis);
            next++;
            await slot.ReplaceAsync();
        }
    }

    /// <summary>Forwards results until the batch is done or the worker fails; on failure, the analysis of the file it failed on.</summary>
    private async Task<(int Completed, FileAnalysis? Analysis)> ReceiveBatchAsync(WorkerProcess worker, string[] sent, ChannelWriter<FileAnalysis> results)
    {
        for (var completed = 0; completed < sent.Length; completed++)
        {
            var path = sent[completed];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(_options.FileTimeout);
            WorkerResult? result;
            try
            {
                result = await worker.ReceiveAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
            {
                worker.Kill();
                return (completed, FileAnalyzer.Unreadable(path, ParseRules.Timeout,
                    $"Reading '{Path.GetFileName(path)}' took longer than {_options.FileTimeout.TotalSeconds:0.#} s, so it was stopped. The file is probably malformed; export it again from the source system.",
                    size: SizeOf(path)));
            }
            if (result is null || result.Index != completed)
            {
                var exit = await worker.DescribeExitAsync();
                return (completed, FileAnalyzer.Unreadable(path, ParseRules.WorkerCrashed,
                    $"The DICOM parser crashed while reading '{Path.GetFileName(path)}' (worker {exit}). The file is malformed in a way the parser cannot handle; export it again from the source system.",
                    size: SizeOf(path)));
            }
            results.TryWrite(result.Analysis with { Path = path });
        }
        return (sent.Length, null);
    }

    private static long SizeOf(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    /// <summary>The process one queue reader currently talks to; null until started or after it was stopped.</summary>
    private sealed class WorkerSlot
    {
        public WorkerProcess? Process { get; set; }

        public async Task ReplaceAsync()
        {
            if (Process is { } stopped)
            {
                Process = null;
                stopped.Kill();
                await stopped.DisposeAsync();
            }
        }
    }

    private sealed record WorkItem(string[] Paths, ChannelWriter<FileAnalysis> Results, CancellationToken Cancellation);
}
