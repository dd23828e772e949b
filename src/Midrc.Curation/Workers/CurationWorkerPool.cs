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
    private const int BatchesInFlight = 2;
    private readonly CurationWorkerPoolOptions _options;
    private readonly WorkerCommand _command;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private int _disposed;

    /// <summary>Starts the pool; worker processes start on first use, or at once with <see cref="CurationWorkerPoolOptions.StartWorkersAtOnce"/>.</summary>
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

    /// <summary>
    /// Feeds one worker process from the queue, keeping <see cref="BatchesInFlight"/> batches sent so that the worker
    /// never waits for the pool between batches (on a busy machine that wait was as long as the batch itself).
    /// </summary>
    private async Task ServeQueueAsync()
    {
        var slot = new WorkerSlot();
        // Batches sent to the current worker, oldest first; it answers them in that order.
        var inFlight = new Queue<SentBatch>();
        // Files sent to a worker that died before answering them, to send again before anything new.
        var resend = new Queue<SentBatch>();
        try
        {
            if (_options.StartWorkersAtOnce)
            {
                slot.Process = await StartEarlyAsync();
            }
            while (true)
            {
                while (inFlight.Count < BatchesInFlight && (resend.TryDequeue(out var next) || TryTakeBatch(out next)))
                {
                    await SendAsync(slot, next, inFlight, resend);
                }
                if (inFlight.Count == 0)
                {
                    if (!await _queue.Reader.WaitToReadAsync())
                    {
                        break;
                    }
                    continue;
                }
                await ReceiveNextAsync(slot, inFlight, resend);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Disposing: the files in progress are abandoned, so the worker is stopped rather than awaited.
            FailAll(inFlight, resend, Disposed());
            await slot.ReplaceAsync();
        }
        finally
        {
            while (_queue.Reader.TryRead(out var abandoned))
            {
                abandoned.Results.TryComplete(Disposed());
            }
            if (slot.Process is not null)
            {
                await slot.Process.DisposeAsync();
            }
        }
    }

    private async Task<WorkerProcess?> StartEarlyAsync()
    {
        try
        {
            return await WorkerProcess.StartAsync(_command, _options, _stopping.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Not a failure yet: the first batch starts the worker again and tells its callers why, if it still cannot.
            return null;
        }
    }

    private bool TryTakeBatch(out SentBatch batch)
    {
        while (_queue.Reader.TryRead(out var item))
        {
            // Batches of an abandoned or cancelled call are skipped.
            if (!item.Cancellation.IsCancellationRequested)
            {
                batch = new SentBatch(item, item.Paths);
                return true;
            }
        }
        batch = null!;
        return false;
    }

    private async Task SendAsync(WorkerSlot slot, SentBatch batch, Queue<SentBatch> inFlight, Queue<SentBatch> resend)
    {
        try
        {
            var worker = slot.Process ??= await WorkerProcess.StartAsync(_command, _options, _stopping.Token);
            await worker.SendAsync(new WorkerBatch(batch.Paths), _stopping.Token);
            inFlight.Enqueue(batch);
        }
        catch (IOException) when (slot.Process is not null && inFlight.Count > 0)
        {
            // The worker died on a file sent earlier: receiving names that file and sends the rest, this batch too, again.
            inFlight.Enqueue(batch);
        }
        catch (IOException) when (slot.Process is not null)
        {
            // The worker died while idle: the batch goes to a fresh one.
            Requeue(inFlight, resend, batch);
            await slot.ReplaceAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The worker could not be started or spoken to: the callers learn why instead of waiting forever.
            inFlight.Enqueue(batch);
            FailAll(inFlight, resend, new InvalidOperationException($"The curation worker '{_command.FileName}' failed: {e.Message}", e));
            await slot.ReplaceAsync();
        }
    }

    /// <summary>Waits for the worker's next answer; a crash or a timeout costs the file it was reading, and the rest is sent again.</summary>
    private async Task ReceiveNextAsync(WorkerSlot slot, Queue<SentBatch> inFlight, Queue<SentBatch> resend)
    {
        var worker = slot.Process!;
        var batch = inFlight.Peek();
        var path = batch.Paths[batch.Answered];
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
            await FailFileAsync(slot, inFlight, resend, FileAnalyzer.Unreadable(path, ParseRules.Timeout,
                $"Reading '{Path.GetFileName(path)}' took longer than {_options.FileTimeout.TotalSeconds:0.#} s, so it was stopped. The file is probably malformed; export it again from the source system.",
                size: SizeOf(path)));
            return;
        }
        if (result is null || result.Index != batch.Answered)
        {
            var exit = await worker.DescribeExitAsync();
            await FailFileAsync(slot, inFlight, resend, FileAnalyzer.Unreadable(path, ParseRules.WorkerCrashed,
                $"The DICOM parser crashed while reading '{Path.GetFileName(path)}' (worker {exit}). The file is malformed in a way the parser cannot handle; export it again from the source system.",
                size: SizeOf(path)));
            return;
        }
        batch.Item.Results.TryWrite(result.Analysis with { Path = path });
        if (++batch.Answered == batch.Paths.Length)
        {
            inFlight.Dequeue();
        }
    }

    private async Task FailFileAsync(WorkerSlot slot, Queue<SentBatch> inFlight, Queue<SentBatch> resend, FileAnalysis failed)
    {
        var batch = inFlight.Dequeue();
        batch.Item.Results.TryWrite(failed);
        Requeue(inFlight, resend, batch.Answered + 1 < batch.Paths.Length ? new SentBatch(batch.Item, batch.Paths[(batch.Answered + 1)..]) : null);
        await slot.ReplaceAsync();
    }

    /// <summary>Moves what the lost worker still owed (in order, after <paramref name="first"/>) to the front of the line.</summary>
    private static void Requeue(Queue<SentBatch> inFlight, Queue<SentBatch> resend, SentBatch? first)
    {
        var owed = new List<SentBatch>();
        if (first is not null)
        {
            owed.Add(first);
        }
        while (inFlight.TryDequeue(out var sent))
        {
            owed.Add(sent.Answered == 0 ? sent : new SentBatch(sent.Item, sent.Paths[sent.Answered..]));
        }
        owed.AddRange(resend);
        resend.Clear();
        foreach (var batch in owed)
        {
            resend.Enqueue(batch);
        }
    }

    private static void FailAll(Queue<SentBatch> inFlight, Queue<SentBatch> resend, Exception reason)
    {
        foreach (var batch in inFlight.Concat(resend))
        {
            batch.Item.Results.TryComplete(reason);
        }
        inFlight.Clear();
        resend.Clear();
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(CurationWorkerPool), "The worker pool was disposed before these files were analysed.");

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

    /// <summary>Paths of one call sent to a worker as one batch, and how many the worker has answered.</summary>
    private sealed class SentBatch(WorkItem item, string[] paths)
    {
        public WorkItem Item { get; } = item;

        public string[] Paths { get; } = paths;

        public int Answered { get; set; }
    }
}
