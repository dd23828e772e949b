using System.Runtime.InteropServices;

namespace Midrc.Cli;

/// <summary>
/// Ctrl-C for a command that cleans up before it exits: the first SIGINT cancels <see cref="Token"/> instead of ending
/// the process, and the command says what became of its work and exits 2. The programs turn off System.CommandLine's own
/// handling, which would end the process with 130 after two seconds whether or not the command had finished.
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _pressed;
    private readonly PosixSignalRegistration _registration;

    public CtrlC(CancellationToken cancellationToken)
    {
        _pressed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            _pressed.Cancel();
        });
    }

    /// <summary>Cancelled when Ctrl-C is pressed (or the caller's token is).</summary>
    public CancellationToken Token => _pressed.Token;

    public void Dispose()
    {
        _registration.Dispose();
        _pressed.Dispose();
    }
}
