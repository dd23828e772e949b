namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// Something that stops the orchestrator (or the CLI) from starting, said once, plainly, for the
/// operator: what is wrong, where, and what to do. Printed without a stack trace.
/// </summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
