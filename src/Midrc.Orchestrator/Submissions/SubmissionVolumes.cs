using System.Collections.Concurrent;

namespace Midrc.Orchestrator.Submissions;

/// <summary>
/// How many bytes each submission holds, for the per-submission limit. Summing every earlier file on each upload made
/// a submission of n files cost n² row reads, so the sum is taken from the database at most once per
/// <see cref="Refresh"/> per submission and counted up in between. Files other orchestrator processes receive show at
/// the next refresh: the limit guards the disk against runaway uploads, a few seconds of lag do not weaken that.
/// </summary>
public sealed class SubmissionVolumes(TimeProvider clock)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<Guid, Volume> _volumes = new();

    /// <summary>The bytes the submission holds, from <paramref name="sum"/> when the last sum is older than <see cref="Refresh"/>.</summary>
    public async Task<long> UsedAsync(Guid submissionId, Func<CancellationToken, Task<long>> sum, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_volumes.TryGetValue(submissionId, out var known) && now - known.SummedAt < Refresh)
        {
            return Interlocked.Read(ref known.Bytes);
        }
        var volume = new Volume(await sum(cancellationToken), now);
        _volumes[submissionId] = volume;
        // Submissions nobody uploads to any more are forgotten, so the map stays as small as the uploads in progress.
        foreach (var (id, stale) in _volumes.Where(v => now - v.Value.SummedAt >= Refresh))
        {
            _volumes.TryRemove(new KeyValuePair<Guid, Volume>(id, stale));
        }
        return volume.Bytes;
    }

    /// <summary>Counts bytes just recorded in the submission.</summary>
    public void Add(Guid submissionId, long bytes)
    {
        if (_volumes.TryGetValue(submissionId, out var volume))
        {
            Interlocked.Add(ref volume.Bytes, bytes);
        }
    }

    private sealed class Volume(long bytes, DateTimeOffset summedAt)
    {
        public long Bytes = bytes;

        public DateTimeOffset SummedAt { get; } = summedAt;
    }
}
