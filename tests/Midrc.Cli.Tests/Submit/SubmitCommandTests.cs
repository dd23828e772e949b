using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Cli.Submit;
using Midrc.Cli.Tests.Verify;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Submissions;

namespace Midrc.Cli.Tests.Submit;

/// <summary><c>midrc submit</c> as a coordinator runs it: the real <c>midrc</c> process against the real host on a loopback port.</summary>
public sealed class SubmitCommandTests : IAsyncLifetime
{
    private IntakeHost _host = null!;
    private string _server = "";

    public async Task InitializeAsync()
    {
        _host = await IntakeHost.StartAsync(kestrel: true);
        _server = _host.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<HostProcess.Outcome> SubmitAsync(string folder, string? token = null, bool native = false) =>
        await Midrc(_host.FilesFolder, native, "submit", "--server", _server, "--token", token ?? _host.UchToken, "--solicitation", _host.UchRequest.ToString(), folder);

    /// <summary>The managed midrc, or the native one a site installs (scripts/publish-midrc.sh), which runs submit itself.</summary>
    private static Task<HostProcess.Outcome> Midrc(string workingDirectory, bool native, params string[] args) =>
        native
            ? HostProcess.RunExecutableAsync(NativeMidrc.Path, workingDirectory, TimeSpan.FromMinutes(3), args)
            : HostProcess.RunAsync("midrc.dll", workingDirectory, new Dictionary<string, string>(), TimeSpan.FromMinutes(3), args);

    private string FolderOf(IEnumerable<string> files)
    {
        var folder = Path.Combine(_host.FilesFolder, $"send-{Guid.NewGuid():N}");
        foreach (var file in files)
        {
            var target = Path.Combine(folder, "exam", Path.GetFileName(file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return folder;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_folder_is_sent_completed_and_summarised(bool native)
    {
        var folder = FolderOf([.. _host.WriteCt(5), _host.WriteChest()]);

        var outcome = await SubmitAsync(folder, native: native);

        outcome.ExitCode.ShouldBe(0, outcome.Output + outcome.Error);
        outcome.Output.ShouldContain("6 files sent, 0 skipped");
        outcome.Output.ShouldContain("MB/s");
        File.Exists(Path.Combine(folder, SubmitState.FileName)).ShouldBeTrue();
        var submission = await _host.InDatabaseAsync(db => db.Submissions.SingleAsync());
        submission.SolicitationId.ShouldBe(_host.UchRequest);
        submission.Status.ShouldBe(SubmissionStatus.Analyzing);
        (await _host.RunEnqueuedJobsAsync()).ShouldBe(1);
        (await _host.CountAsync<Instance>()).ShouldBe(6);
        (await _host.InDatabaseAsync(db => db.Instances.Select(i => i.OriginalName).ToListAsync())).ShouldContain("exam/chest.dcm");

        var again = await SubmitAsync(folder, native: native);
        again.ExitCode.ShouldBe(0);
        again.Output.ShouldContain("already sent as submission");
    }

    [Fact]
    public async Task An_interrupted_submission_resumes_and_sends_only_what_is_missing()
    {
        var (folder, id) = await InterruptedAsync(slices: 4, sent: 2);

        var outcome = await SubmitAsync(folder);

        outcome.ExitCode.ShouldBe(0, outcome.Output + outcome.Error);
        outcome.Output.ShouldContain($"Resuming submission {id}");
        outcome.Output.ShouldContain("2 files sent, 2 skipped");
        (await _host.CountAsync<Submission>()).ShouldBe(1);
        (await _host.CountAsync<ReceivedFile>()).ShouldBe(4);
    }

    [Fact]
    public async Task Files_the_server_cannot_read_make_the_exit_code_1_and_are_named()
    {
        var folder = FolderOf(_host.WriteCt(2));
        await File.WriteAllTextAsync(Path.Combine(folder, "exam", "notes.txt"), "not an image", Encoding.UTF8);

        var outcome = await SubmitAsync(folder);

        outcome.ExitCode.ShouldBe(1, outcome.Output + outcome.Error);
        outcome.Output.ShouldContain("unreadable");
        outcome.Output.ShouldContain("exam/notes.txt");
        (await _host.CountAsync<Submission>(q => q.Where(s => s.Status == SubmissionStatus.Analyzing))).ShouldBe(1, "what was taken is still completed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_the_server_refuses_within_a_batch_is_named_with_its_reason_and_the_rest_of_the_batch_is_taken(bool native)
    {
        // Slices of about 9 KB and a 20 KB file over the limit; with one request at a time, requests carry half the
        // folder, so the oversized file shares its request with slices.
        await using var host = await IntakeHost.StartAsync(settings: new Dictionary<string, string?> { ["Midrc:Intake:MaxFileBytes"] = "16384" }, kestrel: true);
        var folder = FolderOf(host.WriteCt(8));
        await File.WriteAllBytesAsync(Path.Combine(folder, "exam", "a-big.bin"), new byte[20 * 1024]);
        var server = host.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var outcome = await Midrc(host.FilesFolder, native, "submit", "--server", server, "--token", host.UchToken, "--parallel", "1", folder);

        outcome.ExitCode.ShouldBe(1, outcome.Output + outcome.Error);
        outcome.Output.ShouldContain("refused exam/a-big.bin: 'exam/a-big.bin' is larger than the limit");
        outcome.Output.ShouldContain("8 files sent");
        outcome.Output.ShouldContain("1 rejected");
        (await host.InDatabaseAsync(db => db.ReceivedFiles.Select(f => f.Name).OrderBy(n => n).ToListAsync()))
            .ShouldBe([.. Enumerable.Range(1, 8).Select(i => $"exam/ct-{i:0000}.dcm")]);
    }

    [Fact]
    public async Task Submit_sends_what_verify_checks_and_no_link_hidden_file_dicomdir_or_pipe()
    {
        var folder = FolderOf(_host.WriteCt(2));
        var exam = Path.Combine(folder, "exam");
        File.CreateSymbolicLink(Path.Combine(exam, "linked.dcm"), Path.Combine(exam, "ct-0001.dcm"));
        Directory.CreateSymbolicLink(Path.Combine(folder, "linked-exam"), exam);
        await File.WriteAllTextAsync(Path.Combine(exam, ".DS_Store"), "Finder metadata");
        await File.WriteAllTextAsync(Path.Combine(exam, "DICOMDIR"), "not an image");
        await Fifo.CreateAsync(Path.Combine(exam, "pipe"));

        var outcome = await SubmitAsync(folder);

        outcome.ExitCode.ShouldBe(0, outcome.Output + outcome.Error);
        // The console wraps long lines at 80 columns when it is not a terminal.
        outcome.Output.ReplaceLineEndings("").ShouldContain("Skipped 2 symbolic links (not followed), 1 hidden file or folder, 1 DICOMDIR index file, 1 special file (pipe, socket or device)");
        outcome.Output.ShouldContain("2 files sent, 0 skipped");
        (await _host.InDatabaseAsync(db => db.ReceivedFiles.Select(f => f.Name).OrderBy(n => n).ToListAsync()))
            .ShouldBe(["exam/ct-0001.dcm", "exam/ct-0002.dcm"]);
    }

    [Fact]
    public async Task Ctrl_C_says_the_submission_was_interrupted_and_that_the_same_command_resumes_it()
    {
        var folder = FolderOf(_host.WriteCt(2));
        // A server that takes the connection and never answers: once it has, submit is waiting in a request.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var address = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        await using var submit = HostProcess.Start("midrc.dll", _host.FilesFolder, new Dictionary<string, string>(), ["submit", "--server", address, "--token", _host.UchToken, folder]);
        using var connection = await silent.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromMinutes(1));

        await Signals.InterruptAsync(submit.Id);
        var outcome = await submit.WaitForExitAsync(TimeSpan.FromSeconds(30));

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain("midrc submit: interrupted. The server keeps every file it has taken: run the same command again to send the rest.");
        outcome.Error.ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public async Task A_zip_in_the_folder_is_sent_as_the_file_it_is()
    {
        var folder = FolderOf(_host.WriteCt(3));
        ZipFile.CreateFromDirectory(Path.Combine(folder, "exam"), Path.Combine(_host.FilesFolder, "copy.zip"));
        File.Move(Path.Combine(_host.FilesFolder, "copy.zip"), Path.Combine(folder, "exam", "copy.zip"));

        var outcome = await SubmitAsync(folder);

        outcome.ExitCode.ShouldBe(1, "a zip is not DICOM: " + outcome.Output + outcome.Error);
        outcome.Output.ShouldContain("unreadable exam/copy.zip");
        (await _host.InDatabaseAsync(db => db.ReceivedFiles.Select(f => f.Name).OrderBy(n => n).ToListAsync()))
            .ShouldBe(["exam/copy.zip", "exam/ct-0001.dcm", "exam/ct-0002.dcm", "exam/ct-0003.dcm"]);
    }

    [Fact]
    public async Task A_resumed_submission_whose_files_all_arrived_is_completed_without_sending_again()
    {
        var (folder, _) = await InterruptedAsync(slices: 2, sent: 2);

        var outcome = await SubmitAsync(folder);

        outcome.ExitCode.ShouldBe(0, outcome.Output + outcome.Error);
        outcome.Output.ShouldContain("0 files sent, 2 skipped");
        (await _host.InDatabaseAsync(db => db.Submissions.SingleAsync())).Status.ShouldBe(SubmissionStatus.Analyzing);
    }

    /// <summary>A folder of CT slices whose submission was interrupted after the first <paramref name="sent"/> files.</summary>
    private async Task<(string Folder, Guid Submission)> InterruptedAsync(int slices, int sent)
    {
        var files = _host.WriteCt(slices);
        var folder = FolderOf(files);
        using var uch = _host.Client(_host.UchToken);
        var id = await IntakeHost.CreateSubmissionAsync(uch);
        foreach (var file in files.Take(sent))
        {
            (await IntakeHost.PutFileAsync(uch, id, file)).Dispose();
        }
        var state = new SubmitState();
        state.Submissions[SubmitState.Key(new Uri(_server), folder)] = id;
        state.Save(folder);
        return (folder, id);
    }

    [Fact]
    public async Task A_wrong_token_stops_with_exit_code_2_and_the_servers_advice()
    {
        var folder = FolderOf(_host.WriteCt(1));

        var outcome = await SubmitAsync(folder, token: "midrc_uch_wrong");

        outcome.ExitCode.ShouldBe(2);
        outcome.Error.ShouldContain("not recognised or has been revoked");
        (await _host.CountAsync<Submission>()).ShouldBe(0);
    }

    [Fact]
    public async Task A_missing_folder_stops_with_exit_code_2()
    {
        var outcome = await SubmitAsync(Path.Combine(_host.FilesFolder, "nowhere"));

        outcome.ExitCode.ShouldBe(2);
        outcome.Error.ShouldContain("does not exist");
    }
}
