namespace Midrc.Curation.Workers;

/// <summary>How the pool starts a worker: an executable and the arguments before nothing else (the reserved argument included).</summary>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>
    /// This very program started again with <see cref="CurationWorker.ReservedArgument"/> (through <c>dotnet app.dll</c>
    /// when it was started that way). Its <c>Main</c> must call <see cref="CurationWorker.TryRun"/> first.
    /// </summary>
    public static WorkerCommand ForCurrentProcess()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The current executable's path is unknown; configure the worker command explicitly.");
        // Under the dotnet host the first command-line argument is the application's own .dll.
        if (Path.GetFileNameWithoutExtension(processPath) == "dotnet" && Environment.GetCommandLineArgs() is [{ Length: > 0 } entry, ..])
        {
            return new WorkerCommand(processPath, [entry, CurationWorker.ReservedArgument]);
        }
        return new WorkerCommand(processPath, [CurationWorker.ReservedArgument]);
    }

    /// <summary>A worker executable run by the <c>dotnet</c> host: <c>dotnet worker.dll --curation-worker</c>.</summary>
    public static WorkerCommand ForAssembly(string assemblyPath)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return new WorkerCommand(dotnet, [assemblyPath, CurationWorker.ReservedArgument]);
    }
}
