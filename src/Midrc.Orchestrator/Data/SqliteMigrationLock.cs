namespace Midrc.Orchestrator.Data;

/// <summary>
/// An exclusive lock on a file, held by an open handle: on Linux .NET takes it with <c>flock</c>, so it is released by
/// the kernel however its holder ends, a kill included. Used to serialise migrations of one SQLite database between
/// the processes of one machine (the orchestrator and the <c>midrc</c> command).
/// </summary>
internal sealed class SqliteMigrationLock : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);
    private readonly FileStream _handle;

    private SqliteMigrationLock(FileStream handle) => _handle = handle;

    public static async Task<SqliteMigrationLock> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        var giveUpAt = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                return new SqliteMigrationLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < giveUpAt)
            {
                // Another process of this machine is migrating the database: wait for it.
                await Task.Delay(Pause, cancellationToken);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"Another process has been migrating this database for over {Patience.TotalMinutes:0} minutes (it holds {path}); stop it or wait for it to finish", e);
            }
        }
    }

    public ValueTask DisposeAsync() => _handle.DisposeAsync();
}
