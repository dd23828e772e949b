using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Storage;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// Group commit for received files. Whichever upload gets the turn records every upload queued behind it in one
/// transaction, so concurrent uploads cost one database commit (one fsync of SQLite's log) instead of one each, and
/// never wait on each other's lock (a SQLite writer that finds the lock taken is retried only after a long sleep).
/// Each upload is answered only once its own rows are committed. A batch that fails (the same file arrived twice at
/// the same moment) is committed again upload by upload, so only the duplicate fails.
/// </summary>
public sealed class IntakeCommits(IServiceScopeFactory scopes, TimeProvider clock)
{
    private readonly ConcurrentQueue<Pending> _queue = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>
    /// Records the files and the stored objects they refer to (the bytes must already be durable in the store).
    /// Throws <see cref="DbUpdateException"/> when a file is already recorded in its submission.
    /// </summary>
    public async Task CommitAsync(IReadOnlyList<ReceivedFile> files, IReadOnlyList<StoredBytes> objects, CancellationToken cancellationToken)
    {
        var pending = new Pending(files, objects);
        _queue.Enqueue(pending);
        using (await TurnAsync(cancellationToken))
        {
            if (!pending.Done.Task.IsCompleted)
            {
                await CommitQueuedAsync();
            }
        }
        await pending.Done.Task;
    }

    /// <summary>Waits for this process's turn to write intake rows; disposing the turn lets the next writer go.</summary>
    public async Task<IDisposable> TurnAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        return new Turn(_turn);
    }

    /// <summary>Adds (unsaved) a row for each object the database does not know yet: the same bytes are recorded once, whoever sent them.</summary>
    public static async Task AddMissingStoredObjectsAsync(MidrcDbContext db, IEnumerable<StoredBytes> objects, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var distinct = objects.DistinctBy(o => o.Sha256, StringComparer.Ordinal).ToList();
        var hashes = distinct.Select(o => o.Sha256).ToList();
        var known = await db.StoredObjects.AsNoTracking().Where(o => hashes.Contains(o.Sha256)).Select(o => o.Sha256).ToListAsync(cancellationToken);
        db.StoredObjects.AddRange(distinct.ExceptBy(known, o => o.Sha256, StringComparer.Ordinal)
            .Select(o => new StoredObject { Sha256 = o.Sha256, Md5 = o.Md5, SizeBytes = o.SizeBytes, StorageKey = o.StorageKey, StoredAt = now }));
    }

    private async Task CommitQueuedAsync()
    {
        var batch = new List<Pending>();
        while (_queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }
        // Not cancelled with the request that happens to commit: the batch holds other requests' files too.
        try
        {
            await SaveAsync(batch);
            batch.ForEach(p => p.Done.TrySetResult());
        }
        catch (DbUpdateException) when (batch.Count > 1)
        {
            foreach (var one in batch)
            {
                try
                {
                    await SaveAsync([one]);
                    one.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    one.Done.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            batch.ForEach(p => p.Done.TrySetException(e));
        }
    }

    private async Task SaveAsync(List<Pending> batch)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        await AddMissingStoredObjectsAsync(db, batch.SelectMany(p => p.Objects), clock.GetUtcNow(), CancellationToken.None);
        db.ReceivedFiles.AddRange(batch.SelectMany(p => p.Files));
        await db.SaveChangesAsync(CancellationToken.None);
    }

    private sealed record Pending(IReadOnlyList<ReceivedFile> Files, IReadOnlyList<StoredBytes> Objects)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Turn(SemaphoreSlim turn) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                turn.Release();
            }
        }
    }
}
