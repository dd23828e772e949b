using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>
/// Crash safety with real processes: an orchestrator that dies (Environment.FailFast) at a build step, then a normal one
/// that resumes, must publish exactly the package an uninterrupted orchestrator publishes from the same data folder.
/// </summary>
[Collection(ReleaseSeedCollection.Name)]
public sealed class ReleaseCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    private static readonly Lazy<Task<TempFolder>> Uninterrupted = new(async () =>
    {
        var folder = new TempFolder();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => folder.Dispose();
        await ReleaseSeed.CopyToAsync(folder.Path);
        await PublishAsync(folder.Path);
        return folder;
    });

    // Two crash points per case keeps the theory near a minute on two cores; together the cases cover every point.
    public static TheoryData<string[]> CrashPoints
    {
        get
        {
            var data = new TheoryData<string[]>();
            foreach (var pair in ReleaseFaults.Steps.Chunk(2))
            {
                data.Add(pair);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task A_host_killed_at_a_build_step_resumes_on_restart_and_publishes_the_same_package_once(string[] steps)
    {
        var expected = (await Uninterrupted.Value).Path;

        await Task.WhenAll(steps.Select(async step =>
        {
            using var folder = new TempFolder();
            await ReleaseSeed.CopyToAsync(folder.Path);

            await using (var crashing = HostProcess.StartOrchestrator(folder.Path, HostSettings(folder.Path, failAt: step), "--urls", "http://127.0.0.1:0"))
            {
                var outcome = await crashing.WaitForExitAsync(Patience);
                outcome.ExitCode.ShouldNotBe(0, $"the host should have died at '{step}'");
                (outcome.Output + outcome.Error).ShouldContain($"Release build stopped at '{step}'");
            }

            await PublishAsync(folder.Path);

            SamePackage(expected, folder.Path, step);
            Directory.EnumerateFileSystemEntries(Path.Combine(folder.Path, "releases", ".staging")).ShouldBeEmpty($"nothing is left in staging after '{step}'");
            Directory.GetDirectories(Path.Combine(folder.Path, "releases")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([".staging", "1", "2"]);
            (await EmailsAsync(folder.Path)).ShouldBe(await EmailsAsync(expected), $"one set of release emails after '{step}'");
            await using var db = ReleaseSeed.OpenDb(folder.Path);
            (await db.Releases.CountAsync(r => r.State == ReleaseState.Published)).ShouldBe(2);
        }));
    }

    /// <summary>Runs a normal host on the folder until release 2 is published, then stops it.</summary>
    private static async Task PublishAsync(string dataFolder)
    {
        await using var host = HostProcess.StartOrchestrator(dataFolder, HostSettings(dataFolder, failAt: ""), "--urls", "http://127.0.0.1:0");
        await host.WaitUntilAsync(async () =>
        {
            await using var db = ReleaseSeed.OpenDb(dataFolder);
            return await db.Releases.AnyAsync(r => r.Number == 2 && r.State == ReleaseState.Published);
        }, Patience, "publishing release 2");
    }

    private static Dictionary<string, string> HostSettings(string dataFolder, string failAt)
    {
        var environment = ReleaseSeed.Settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["Midrc__DataFolder"] = dataFolder;
        // Every second: the open release freezes as soon as the host is up.
        environment["Midrc__Releases__Schedule"] = "* * * * * *";
        environment["Midrc__Releases__FailAt"] = failAt;
        environment["Midrc__Jobs__PollInterval"] = "00:00:00.250";
        return environment;
    }

    /// <summary>Same files, same bytes, in release 2's folder.</summary>
    private static void SamePackage(string expectedFolder, string actualFolder, string step)
    {
        var expected = Path.Combine(expectedFolder, "releases", "2");
        var actual = Path.Combine(actualFolder, "releases", "2");
        static List<string> Files(string root) => [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
        var files = Files(expected);
        files.ShouldContain(f => f.StartsWith("sequestered", StringComparison.Ordinal));
        Files(actual).ShouldBe(files, $"the same files after '{step}'");
        foreach (var file in files)
        {
            File.ReadAllBytes(Path.Combine(actual, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(expected, file))).ShouldBeTrue($"{file} differs after '{step}'");
        }
    }

    private static async Task<List<string>> EmailsAsync(string dataFolder)
    {
        await using var db = ReleaseSeed.OpenDb(dataFolder);
        var release = await db.Releases.SingleAsync(r => r.Number == 2);
        var prefix = $"release:{release.Id:N}:";
        return [.. (await db.Outbox.Where(m => m.IdempotencyKey.StartsWith(prefix)).Select(m => m.Template + " " + m.ToAddress).ToListAsync()).Order(StringComparer.Ordinal)];
    }
}
