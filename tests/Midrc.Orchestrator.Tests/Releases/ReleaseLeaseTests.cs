using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>Two orchestrator hosts (separate service providers) on one PostgreSQL database and one data folder racing one release build.</summary>
[Collection(ReleaseSeedCollection.Name)]
public sealed class ReleaseLeaseTests
{
    [Fact]
    public async Task Two_hosts_build_one_at_a_time_and_a_dead_holders_lease_is_taken_over_only_after_it_expires()
    {
        await using var first = await ReleaseSeed.SeededHostAsync(DatabaseProvider.PostgreSql);
        var shared = new Dictionary<string, string?>(ReleaseSeed.Settings.ToDictionary(s => s.Key, s => (string?)s.Value))
        {
            ["Midrc:DataFolder"] = first.DataFolder,
            ["Midrc:Database:ConnectionString"] = first.Services.GetRequiredService<IConfiguration>()["Midrc:Database:ConnectionString"],
            ["Midrc:Jobs:RunServer"] = "false",
        };
        await using var second = new OrchestratorFactory(DatabaseProvider.PostgreSql, shared);
        second.CreateClient().Dispose();
        await using var firstScope = first.Services.CreateAsyncScope();
        await using var secondScope = second.Services.CreateAsyncScope();
        var programId = await firstScope.ServiceProvider.GetRequiredService<MidrcDbContext>().Programs.Select(p => p.Id).SingleAsync();
        var holder = firstScope.ServiceProvider.GetRequiredService<ReleaseLeases>();
        var rival = secondScope.ServiceProvider.GetRequiredService<ReleaseLeases>();

        // The first host takes the lease and then dies: it never renews nor gives it up.
        var clock = Stopwatch.StartNew();
        await holder.AcquireAsync(programId, CancellationToken.None);
        (await rival.TryAcquireAsync(programId, CancellationToken.None)).ShouldBeFalse("one build at a time across processes");
        (await holder.TryAcquireAsync(programId, CancellationToken.None)).ShouldBeTrue("the holder may take its own lease again");
        var renewed = clock.Elapsed;

        var release = await ReleaseSeed.BuildCurrentAsync(second.Services);

        release.State.ShouldBe(ReleaseState.Published, release.FailureReason);
        clock.Elapsed.ShouldBeGreaterThan(renewed + TimeSpan.FromSeconds(3), "the second host waited for the dead holder's lease to expire");
        await Should.ThrowAsync<ReleaseBusyException>(() => holder.RenewAsync(programId, CancellationToken.None));
        var releases = Path.Combine(first.DataFolder, "releases");
        Directory.GetDirectories(releases).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([".staging", "1", "2"]);
        Directory.EnumerateFileSystemEntries(Path.Combine(releases, ".staging")).ShouldBeEmpty();
        (await secondScope.ServiceProvider.GetRequiredService<MidrcDbContext>().Releases.CountAsync(r => r.State == ReleaseState.Published)).ShouldBe(2);
        secondScope.ServiceProvider.GetRequiredService<ReleaseBuilder>().IsIntact(release).ShouldBeTrue();
    }
}
