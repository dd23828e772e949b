using System.CommandLine;
using Midrc.Cli.Verify;
using Spectre.Console;

namespace Midrc.Cli.Submit;

/// <summary><c>midrc submit --server URL --token T [--solicitation ID] [--parallel N] FOLDER</c>.</summary>
internal static class SubmitCommand
{
    /// <summary>The command's name, the first argument.</summary>
    public const string Name = "submit";

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "the orchestrator's address, e.g. https://midrc.example.org", Required = true };
        var token = new Option<string>("--token") { Description = "your site's API token (midrc_...); or set MIDRC_TOKEN", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("MIDRC_TOKEN") ?? "" };
        var solicitation = new Option<Guid?>("--solicitation") { Description = "the id of the data request this submission answers" };
        var parallel = new Option<int>("--parallel") { Description = "files sent at the same time (default 4)", DefaultValueFactory = _ => 4 };
        var folder = new Argument<DirectoryInfo>("folder") { Description = "the folder to send: DICOM files, at any depth" };
        var command = new Command(Name, "Send a folder of DICOM files to the orchestrator: checksums, parallel upload with progress, resume after interruption (files the server has are skipped), and a summary. Exit 0 when every file was taken, 1 when the server refused or could not read some, 2 when the command could not run.")
        {
            server, token, solicitation, parallel, folder,
        };
        command.SetAction(async (parse, ct) =>
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(parse.InvocationConfiguration.Output) });
            if (!Uri.TryCreate(parse.GetRequiredValue(server), UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"midrc submit: --server must be an http(s) address such as https://midrc.example.org, not '{parse.GetValue(server)}'.");
                return 2;
            }
            var options = new SubmitOptions(address, parse.GetValue(token) ?? "", parse.GetValue(solicitation),
                Math.Clamp(parse.GetValue(parallel), 1, 32), parse.GetRequiredValue(folder).FullName);
            using var ctrlC = new CtrlC(ct);
            try
            {
                return await new FolderSubmitter(options, console).RunAsync(ctrlC.Token);
            }
            catch (Exception e) when (e is SubmitException or UnlistableFolderException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"midrc submit: {e.Message}");
                return 2;
            }
            catch (HttpRequestException e)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"midrc submit: could not reach {options.Server} ({e.Message}). Check the address and your network, then run the same command again: it resumes.");
                return 2;
            }
            catch (OperationCanceledException) when (ctrlC.Token.IsCancellationRequested)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    "midrc submit: interrupted. The server keeps every file it has taken: run the same command again to send the rest.");
                return 2;
            }
        });
        return command;
    }
}

internal sealed record SubmitOptions(Uri Server, string Token, Guid? Solicitation, int Parallel, string Folder);

/// <summary>Something that stops <c>midrc submit</c>, said plainly for the coordinator (exit code 2).</summary>
internal sealed class SubmitException(string message) : Exception(message);
