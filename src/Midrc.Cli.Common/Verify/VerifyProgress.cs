using System.Diagnostics;

namespace Midrc.Cli.Verify;

/// <summary>
/// Progress on stderr, never stdout (which may carry the JSON report): a line redrawn in place on a terminal, otherwise
/// a plain line every few seconds so logs of long runs show life without thousands of lines.
/// </summary>
internal sealed class VerifyProgress(TextWriter error, bool terminal, int total)
{
    private static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(5);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastShown;
    private bool _drawn;

    /// <summary>Progress goes to a terminal only when stderr is one (not a file, a pipe or a test's writer).</summary>
    public static bool IsTerminal(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    public void Report(int done)
    {
        var now = _clock.Elapsed;
        if (now - _lastShown < (terminal ? TerminalInterval : LogInterval) && done < total)
        {
            return;
        }
        _lastShown = now;
        var rate = done / Math.Max(now.TotalSeconds, 0.001);
        var line = $"Verified {done:N0} of {total:N0} files ({done * 100 / Math.Max(total, 1)}%, {rate:N0} files/s)";
        if (terminal)
        {
            error.Write($"\r{line}   ");
            _drawn = true;
        }
        else if (done < total)
        {
            error.WriteLine($"midrc verify: {line}");
        }
    }

    /// <summary>Ends the redrawn line so what follows starts on its own line.</summary>
    public void Finish()
    {
        if (_drawn)
        {
            error.WriteLine();
        }
    }
}
