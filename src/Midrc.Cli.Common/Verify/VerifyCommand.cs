using System.CommandLine;
using System.Text;
using Midrc.Curation.Profiles;
using Midrc.Curation.Workers;

namespace Midrc.Cli.Verify;

/// <summary>
/// <c>midrc verify &lt;file-or-folder&gt; [--format text|json] [--out FILE] [--profile FILE]</c>: the server's QA and
/// de-identification checks, offline, so a site can check before it sends. Exit codes (design.md): 0 no error finding,
/// 1 at least one, 2 the command could not run (bad arguments, missing path, unreadable profile, unwritable report).
/// </summary>
internal static class VerifyCommand
{
    /// <summary>The command's name, the first argument.</summary>
    public const string Name = "verify";

    /// <summary>What <c>midrc</c> says it is, in its help.</summary>
    public const string RootDescription = "midrc: check DICOM before sending, submit to the orchestrator, validate workflows, operate a deployment.";

    public const int Passed = 0;
    public const int Failed = 1;
    public const int CouldNotRun = 2;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static Command Create()
    {
        // Arguments are checked in the action, not by the parser, so that every usage mistake exits 2 as design.md fixes.
        var target = new Argument<string?>("file-or-folder") { Description = "A DICOM file, or a folder verified with everything below it.", Arity = ArgumentArity.ZeroOrOne };
        var format = new Option<string>("--format") { Description = "text (a summary by rule, study and series) or json (every finding).", DefaultValueFactory = _ => "text" };
        var output = new Option<string?>("--out") { Description = "Write the report to this file and print only a short summary." };
        var profile = new Option<string?>("--profile") { Description = "The curation profile (YAML) to check against; default: the program's own." };
        var command = new Command(Name, "Check DICOM files for QA and de-identification problems before sending them. Exit 0: no error; 1: errors found; 2: could not run.")
        {
            target, format, output, profile,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            var error = parse.InvocationConfiguration.Error;
            using var ctrlC = new CtrlC(cancellationToken);
            try
            {
                var request = new VerifyRequest(
                    parse.GetValue(target) ?? throw new CannotVerifyException("give a DICOM file or a folder to verify, e.g. midrc verify ./export"),
                    parse.GetValue(format)!,
                    parse.GetValue(output),
                    parse.GetValue(profile),
                    parse.UnmatchedTokens);
                return await RunAsync(request, parse.InvocationConfiguration.Output, error, ctrlC.Token);
            }
            catch (Exception e) when (e is CannotVerifyException or UnlistableFolderException)
            {
                await error.WriteLineAsync($"midrc verify: {e.Message}");
                return CouldNotRun;
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                // Ctrl-C: a partial check must not read as a pass or a fail.
                await error.WriteLineAsync("midrc verify: interrupted before every file was checked; no report was written.");
                return CouldNotRun;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(VerifyRequest request, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (request.Unmatched.Count > 0)
        {
            throw new CannotVerifyException($"unexpected argument '{request.Unmatched[0]}'. Usage: midrc verify <file-or-folder> [--format text|json] [--out FILE] [--profile FILE]");
        }
        if (request.Format is not ("text" or "json"))
        {
            throw new CannotVerifyException($"--format must be text or json, not '{request.Format}'.");
        }
        var target = Path.GetFullPath(request.Target);
        var isFile = File.Exists(target);
        CannotVerifyException Missing() => new($"'{request.Target}' does not exist; give a DICOM file or a folder.");
        if (!isFile && !Directory.Exists(target))
        {
            throw Missing();
        }
        var profileText = ReadProfile(request.ProfilePath);
        // The workers start first, so their runtime and checks get ready while this process walks the folder (thousands
        // of folders take a tenth of a second) and parses the profile. A single file needs one worker: on a small
        // machine an idle worker's start-up slows the other down.
        await using var pool = new CurationWorkerPool(new CurationWorkerPoolOptions
        {
            ChecksSettings = profileText,
            StartWorkersAtOnce = true,
            WorkerCount = isFile ? 1 : Environment.ProcessorCount,
        });
        var inputs = VerifyInputs.Find(request.Target) ?? throw Missing();
        if (inputs.SkippedNote() is { } skipped)
        {
            await error.WriteLineAsync($"midrc verify: {skipped}");
        }
        if (inputs.Files.Count == 0)
        {
            throw new CannotVerifyException($"there is no file to verify in '{request.Target}'.");
        }
        var profile = ParseProfile(profileText, request.ProfilePath);
        await using var reportFile = request.OutPath is null ? null : OpenReport(request.OutPath);

        var progress = new VerifyProgress(error, VerifyProgress.IsTerminal(error), inputs.Files.Count);
        VerificationRun run;
        try
        {
            run = await FolderVerification.RunAsync(inputs, profile, pool, progress.Report, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            // The pool could not start or talk to its workers: nothing was verified.
            throw new CannotVerifyException(e.Message);
        }
        finally
        {
            progress.Finish();
        }

        if (reportFile is null)
        {
            WriteReport(run, request.Format, inputs.Root, output);
        }
        else
        {
            // Streamed to the file: a report of many findings is never built as one string.
            var stream = reportFile.Rewrite();
            if (request.Format == "json")
            {
                run.Report.WriteJson(stream);
            }
            else
            {
                await using var text = new StreamWriter(stream, Utf8, leaveOpen: true);
                TextReport.Write(run, inputs.Root, text);
            }
            TextReport.WriteShort(run, Path.GetFullPath(request.OutPath!), output);
        }
        return run.Report.HasErrors ? Failed : Passed;
    }

    private static void WriteReport(VerificationRun run, string format, string root, TextWriter output)
    {
        if (format == "json")
        {
            output.WriteLine(run.Report.ToJson());
        }
        else
        {
            TextReport.Write(run, root, output);
        }
    }

    private static string ReadProfile(string? path)
    {
        if (path is null)
        {
            return ProfileLoader.DefaultProfileText();
        }
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CannotVerifyException($"the profile '{path}' could not be read: {e.Message}");
        }
    }

    private static CurationProfile ParseProfile(string text, string? path)
    {
        try
        {
            // The text is already in hand (the workers got it too): parsed once, not read again.
            return ProfileLoader.Load(text, path ?? ProfileLoader.DefaultProfileName);
        }
        catch (ProfileException e)
        {
            throw new CannotVerifyException($"the profile is not valid: {e.Message}");
        }
    }

    private static ReportFile OpenReport(string path)
    {
        try
        {
            return ReportFile.Open(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CannotVerifyException($"the report cannot be written to '{path}': {e.Message}");
        }
    }

    private sealed record VerifyRequest(string Target, string Format, string? OutPath, string? ProfilePath, IReadOnlyList<string> Unmatched);

    /// <summary>The command could not run; the message says why, in one line, for the person at the terminal.</summary>
    private sealed class CannotVerifyException(string message) : Exception(message);
}
