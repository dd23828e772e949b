using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>
/// Release 2 of the seeded program, built end to end in process: what it takes (exclusions, withdrawals, corrections,
/// the sequestered split), and what it refuses (an object whose bytes changed after acceptance).
/// </summary>
[Collection(ReleaseSeedCollection.Name)]
public sealed class ReleaseContentTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Release_2_applies_exclusions_withdrawals_corrections_and_the_sequestered_split()
    {
        await ReleaseSeed.CopyToAsync(_folder.Path);
        await using var factory = new OrchestratorFactory(settings: ReleaseSeed.FactorySettings(_folder.Path));
        using var pm = await (await SignInFlow.ClientForAsync(factory, "pm@midrc.example")).SendingAntiforgeryTokenAsync();
        await using var db = ReleaseSeed.OpenDb(_folder.Path);
        var excluded = await db.Studies.Where(s => s.Site!.Code == "MUC").OrderBy(s => s.StudyInstanceUid).Select(s => s.StudyInstanceUid).FirstAsync();
        var withdrawal = await db.Withdrawals.SingleAsync();
        // The seed's correction: of two instances with one SOP Instance UID, the one not released yet.
        var corrected = await db.Instances.Where(i => db.Instances.Count(o => o.SopInstanceUid == i.SopInstanceUid) > 1 && !db.ReleaseItems.Any(r => r.InstanceId == i.Id))
            .Select(i => new { i.SopInstanceUid, i.Sha256 }).SingleAsync();

        (await pm.PostAsJsonAsync("/api/releases/current/exclusions", new { site = "MUC", studyInstanceUid = excluded, reason = "Consent in question" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        var release = await ReleaseSeed.BuildCurrentAsync(factory.Services);

        release.State.ShouldBe(ReleaseState.Published, release.FailureReason);
        var folder = Path.Combine(_folder.Path, "releases", "2");
        var open = Lines(folder, ReleaseBuilder.OpenPart, "manifest.tsv");
        var sequestered = Lines(folder, ReleaseBuilder.SequesteredPart, "manifest.tsv");
        var changes = Lines(folder, ReleaseBuilder.OpenPart, ReleasePackage.ChangesName).Concat(Lines(folder, ReleaseBuilder.SequesteredPart, ReleasePackage.ChangesName).Skip(1)).ToList();

        open.Concat(sequestered).ShouldNotContain(l => l.Contains(excluded), "an exam excluded before freeze is not in the release");
        changes.ShouldNotContain(l => l.Contains(excluded));
        var withdrawn = changes.Where(l => l.StartsWith("withdrawn\t", StringComparison.Ordinal)).ToList();
        withdrawn.ShouldNotBeEmpty();
        withdrawn.ShouldAllBe(l => l.Split('\t')[1] == withdrawal.CaseId);
        open.Concat(sequestered).ShouldNotContain(l => l.Contains($"/{withdrawal.CaseId}/"), "a withdrawn case's objects are not packaged again");
        changes.ShouldContain(l => l.StartsWith("corrected\t", StringComparison.Ordinal) && l.Contains(corrected.SopInstanceUid) && l.EndsWith(corrected.Sha256));
        // Case ids come from the demo's generator, so which part the split put the case in differs from run to run.
        var first = Path.Combine(_folder.Path, "releases", "1");
        var original = await db.ReleaseItems.Where(r => r.SopInstanceUid == corrected.SopInstanceUid).Select(r => r.ObjectPath).FirstAsync();
        var earlierPart = Lines(first, ReleaseBuilder.OpenPart, "manifest.tsv").Any(l => l.StartsWith(original + "\t", StringComparison.Ordinal)) ? open : sequestered;
        earlierPart.ShouldContain(l => l.EndsWith(corrected.Sha256), "the corrected bytes are published in the case's earlier part");

        sequestered.Count(l => l.StartsWith("objects/", StringComparison.Ordinal)).ShouldBeGreaterThan(0, "the sequestered part holds the held-back cases");
        static IEnumerable<string> Cases(IEnumerable<string> manifest) => manifest.Where(l => l.StartsWith("objects/", StringComparison.Ordinal)).Select(l => string.Join('/', l.Split('/').Take(3)));
        // A released case's corrected object goes where the case went in release 1, which may be the sequestered part.
        var sequesteredBefore = Cases(Lines(first, ReleaseBuilder.SequesteredPart, "manifest.tsv")).ToHashSet();
        Cases(sequestered).ShouldAllBe(c => c.StartsWith("objects/MUC/", StringComparison.Ordinal) || sequesteredBefore.Contains(c), "only new cases are split; released ones keep their part");
        Cases(open).Intersect(Cases(sequestered)).ShouldBeEmpty("a case is in one part only");
        File.ReadAllText(Path.Combine(folder, ReleaseBuilder.OpenPart, ReleasePackage.NotesName)).ShouldContain("held back in the sequestered part");

        var detail = await pm.GetFromJsonAsync<ReleaseDetail>("/api/releases/2");
        detail!.Corrected.ShouldBe(1);
        detail.Withdrawn.ShouldBe(withdrawn.Count);
        detail.Sequestered.ShouldBe(sequestered.Count(l => l.StartsWith("objects/", StringComparison.Ordinal)));
        detail.Exclusions.ShouldHaveSingleItem().StudyInstanceUid.ShouldBe(excluded);
        (await pm.GetFromJsonAsync<List<WithdrawalLine>>("/api/withdrawals"))!.ShouldHaveSingleItem().TakenEffect.ShouldBeTrue();
        var next = await db.Releases.SingleAsync(r => r.Number == 3);
        await using var scope = factory.Services.CreateAsyncScope();
        (await scope.ServiceProvider.GetRequiredService<ReleaseBuilder>().Candidates(release.ProgramId, next.Id).AnyAsync(i => i.Series!.Study!.StudyInstanceUid == excluded))
            .ShouldBeTrue("the excluded exam waits for the next release");
    }

    [Theory]
    [InlineData("quarantine store")]
    [InlineData("staging folder")]
    public async Task An_object_changed_after_acceptance_fails_verification_with_the_reason_and_nothing_is_published(string where)
    {
        await ReleaseSeed.CopyToAsync(_folder.Path);
        await using var factory = new OrchestratorFactory(settings: ReleaseSeed.FactorySettings(_folder.Path));
        factory.CreateClient().Dispose();
        await using var db = ReleaseSeed.OpenDb(_folder.Path);
        var victim = await db.Instances.Where(i => i.Series!.Study!.Site!.Code == "MUC").OrderBy(i => i.SopInstanceUid).Select(i => new { i.Sha256, i.SopInstanceUid }).FirstAsync();
        using (var scope = factory.Services.CreateScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<IQuarantineStore>();
            if (where == "quarantine store")
            {
                Corrupt(store.PathOf(victim.Sha256));
            }
        }

        var release = await ReleaseSeed.BuildCurrentAsync(factory.Services, afterJob: r =>
        {
            if (where == "staging folder" && r.BuildStep == ReleaseBuildStep.Staged)
            {
                Corrupt(Directory.EnumerateFiles(Path.Combine(_folder.Path, "releases", ".staging", "2"), victim.SopInstanceUid + ".dcm", SearchOption.AllDirectories).Single());
            }
        });

        release.State.ShouldBe(ReleaseState.Failed);
        release.FailureReason.ShouldNotBeNull().ShouldContain($"/{victim.SopInstanceUid}.dcm: its bytes changed since it was accepted");
        release.FailureReason.ShouldStartWith("1 of ");
        Directory.Exists(Path.Combine(_folder.Path, "releases", "2")).ShouldBeFalse("nothing is published");
        (await db.Outbox.CountAsync(m => m.Template == ReleaseNotifier.FailedTemplate)).ShouldBeGreaterThan(0, "program managers are told why");
        (await db.Outbox.CountAsync(m => m.Template == ReleaseNotifier.PublishedTemplate && m.IdempotencyKey.Contains(release.Id.ToString("N")))).ShouldBe(0);
    }

    private static void Corrupt(string path)
    {
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
    }

    private static List<string> Lines(string folder, string part, string name) =>
        File.Exists(Path.Combine(folder, part, name)) ? [.. File.ReadAllLines(Path.Combine(folder, part, name))] : [];
}
