using System.Buffers;
using System.Text;
using System.Text.Json;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Workers;

/// <summary>
/// The worker side of <see cref="CurationWorkerPool"/>. Every executable that can serve as a worker calls
/// <see cref="TryRun"/> at the very top of its <c>Main</c>: <c>if (CurationWorker.TryRun(args, checks)) return 0;</c>
/// </summary>
public static class CurationWorker
{
    /// <summary>The argument that turns an executable into a curation worker.</summary>
    public const string ReservedArgument = "--curation-worker";

    /// <summary>The line a worker answers the pool's hello with once its checks are built, so start-up is never charged to a file's time limit.</summary>
    internal const string ReadyLine = "ready";

    /// <summary>
    /// The prefix of the line a worker answers the hello with when it cannot build its checks (a broken profile): the
    /// pool reports the message, and nothing reaches the terminal as an unhandled exception.
    /// </summary>
    internal const string CannotStartPrefix = "cannot-start: ";

    /// <summary>
    /// When <paramref name="args"/> holds <see cref="ReservedArgument"/>, serves the pool over stdin/stdout until stdin
    /// closes and returns true; otherwise returns false at once and the program carries on as usual.
    /// </summary>
    /// <param name="args">The program's arguments.</param>
    /// <param name="checksFactory">Builds the file checks from the pool's settings string; none when null.</param>
    public static bool TryRun(string[] args, Func<string, IReadOnlyList<IFileCheck>>? checksFactory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (!args.Contains(ReservedArgument, StringComparer.Ordinal))
        {
            return false;
        }
        // The protocol owns stdout: anything else the process prints goes to stderr.
        var protocolOut = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        Serve(Console.OpenStandardInput(), protocolOut, checksFactory ?? (_ => []));
        return true;
    }

    internal static void Serve(Stream input, Stream output, Func<string, IReadOnlyList<IFileCheck>> checksFactory)
    {
        // Loading GDCM (its dictionaries take tens of milliseconds) overlaps the wait for the hello and building the checks.
        NativeHeaderWalk.PreloadInBackground();
        using var reader = new StreamReader(input, new UTF8Encoding(false));
        if (reader.ReadLine() is not { } helloLine || JsonSerializer.Deserialize(helloLine, WorkerJsonContext.Default.WorkerHello) is not { } hello)
        {
            return;
        }
        IReadOnlyList<IFileCheck> checks;
        try
        {
            checks = checksFactory(hello.Settings);
        }
        catch (Exception e) when (e is Profiles.ProfileException or FormatException or InvalidOperationException or ArgumentException)
        {
            Send(output, CannotStartPrefix + e.Message.ReplaceLineEndings(" "));
            return;
        }
        var analyzer = new FileAnalyzer(new GdcmDicomReader(hello.ReaderOptions), checks);
        Send(output, ReadyLine);
        // Results are serialized as UTF-8 straight into one reused buffer and leave in one write each, newline included.
        var line = new ArrayBufferWriter<byte>(1 << 12);
        using var json = new Utf8JsonWriter(line);
        while (reader.ReadLine() is { } batchLine)
        {
            var batch = JsonSerializer.Deserialize(batchLine, WorkerJsonContext.Default.WorkerBatch);
            for (var i = 0; i < (batch?.Paths.Count ?? 0); i++)
            {
                JsonSerializer.Serialize(json, new WorkerResult(i, AnalyzeSafely(analyzer, batch!.Paths[i])), WorkerJsonContext.Default.WorkerResult);
                json.Flush();
                line.Write("\n"u8);
                output.Write(line.WrittenSpan);
                output.Flush();
                line.ResetWrittenCount();
                json.Reset();
            }
        }
    }

    private static void Send(Stream output, string line)
    {
        output.Write(Encoding.UTF8.GetBytes(line + "\n"));
        output.Flush();
    }

    private static FileAnalysis AnalyzeSafely(FileAnalyzer analyzer, string path)
    {
        try
        {
            return analyzer.Analyze(path);
        }
        catch (GdcmUnavailableException e)
        {
            return FileAnalyzer.Unreadable(path, ParseRules.Unreadable, e.Message, size: 0);
        }
    }
}
