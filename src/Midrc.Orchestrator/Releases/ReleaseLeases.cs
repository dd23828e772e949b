using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Releases;

/// <summary>Another process holds the program's release lease; the job is retried later (its intent stays pending).</summary>
public sealed class ReleaseBusyException(string message) : Exception(message);

/// <summary>
/// The program's release lease (<see cref="ReleaseLease"/>): taken and renewed by conditional updates in the database,
/// never by an in-process lock, so two processes on one database never build at the same time.
/// </summary>
public sealed class ReleaseLeases(MidrcDbContext db, TimeProvider clock, IOptions<ReleaseOptions> options)
{
    /// <summary>This process's (and this build's) name in the lease row.</summary>
    public string Holder { get; } = $"{Environment.ProcessId}@{Environment.MachineName}/{Guid.NewGuid():N}";

    private TimeSpan Duration => options.Value.LeaseDuration;

    /// <summary>
    /// Takes the lease, waiting up to twice its duration for a live holder to finish or a dead one's lease to expire;
    /// throws <see cref="ReleaseBusyException"/> after that.
    /// </summary>
    public async Task AcquireAsync(Guid programId, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var pause = TimeSpan.FromTicks(Math.Clamp(Duration.Ticks / 4, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(2).Ticks));
        while (!await TryAcquireAsync(programId, cancellationToken))
        {
            if (waited.Elapsed > 2 * Duration)
            {
                throw new ReleaseBusyException("Another process is building this program's release; this job is retried later.");
            }

            await Task.Delay(pause, cancellationToken);
        }
    }

    /// <summary>Takes the lease when it is free, expired or already ours; false when another live holder has it.</summary>
    public async Task<bool> TryAcquireAsync(Guid programId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var taken = await db.ReleaseLeases.Where(l => l.ProgramId == programId && (l.Holder == Holder || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, Holder).SetProperty(l => l.ExpiresAt, now + Duration), cancellationToken);
        if (taken == 1)
        {
            return true;
        }

        if (await db.ReleaseLeases.AnyAsync(l => l.ProgramId == programId, cancellationToken))
        {
            return false;
        }

        try
        {
            db.ReleaseLeases.Add(new ReleaseLease { ProgramId = programId, Holder = Holder, ExpiresAt = now + Duration });
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another process created the row a moment ago: theirs.
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Extends the lease; throws when it was lost (expired and taken over), so a stalled build stops writing.</summary>
    public async Task RenewAsync(Guid programId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var renewed = await db.ReleaseLeases.Where(l => l.ProgramId == programId && l.Holder == Holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now + Duration), cancellationToken);
        if (renewed == 0)
        {
            throw new ReleaseBusyException("This process lost the release lease to another one; it stops here and the other carries on.");
        }
    }

    /// <summary>Gives the lease up at once when this process holds it.</summary>
    public Task ReleaseAsync(Guid programId, CancellationToken cancellationToken)
    {
        var expired = clock.GetUtcNow() - TimeSpan.FromSeconds(1);
        return db.ReleaseLeases.Where(l => l.ProgramId == programId && l.Holder == Holder)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, expired), cancellationToken);
    }
}
