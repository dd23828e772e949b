namespace Midrc.Cli.Verify;

/// <summary>
/// The file given with <c>--out</c>. It is opened before the files are checked, so a path that cannot be written fails
/// at once rather than after minutes of work, but it is emptied only when the report is ready: a run that ends without
/// a report (interrupted, or unable to run) leaves an earlier report as it was, and removes a file it created.
/// </summary>
internal sealed class ReportFile : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly bool _created;
    private bool _rewritten;

    private ReportFile(FileStream stream, string path, bool created)
    {
        _stream = stream;
        _path = path;
        _created = created;
    }

    /// <exception cref="IOException">The file cannot be opened for writing.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be written.</exception>
    public static ReportFile Open(string path)
    {
        var created = !File.Exists(path);
        return new ReportFile(new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read), path, created);
    }

    /// <summary>Empties the file for the report and returns it to be written.</summary>
    public Stream Rewrite()
    {
        _stream.SetLength(0);
        _rewritten = true;
        return _stream;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        if (_created && !_rewritten)
        {
            File.Delete(_path);
        }
    }
}
