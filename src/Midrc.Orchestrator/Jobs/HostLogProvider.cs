using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace Midrc.Orchestrator.Jobs;

/// <summary>
/// Hangfire's logging through the host's logger factory, as Hangfire's own ASP.NET Core provider does, except after the
/// host has stopped. Hangfire keeps one log provider for the whole process, the one the last host configured; when that
/// host stops, its factory is disposed, and anything another host's Hangfire builds then (an in-memory queue asks for a
/// logger in its constructor) would get an <see cref="ObjectDisposedException"/>. Loggers asked for after that are silent.
/// </summary>
internal sealed class HostLogProvider(ILoggerFactory factory) : ILogProvider
{
    private readonly AspNetCoreLogProvider _host = new(factory);

    public ILog GetLogger(string name)
    {
        try
        {
            return _host.GetLogger(name);
        }
        catch (ObjectDisposedException)
        {
            return Silent.Instance;
        }
    }

    private sealed class Silent : ILog
    {
        public static Silent Instance { get; } = new();

        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string> messageFunc, Exception exception) => false;
    }
}
