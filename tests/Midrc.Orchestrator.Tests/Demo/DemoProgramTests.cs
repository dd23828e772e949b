using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Demo;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Demo;

/// <summary>The demo a newcomer sees at first start: seeded through the real store, reader and checks.</summary>
public sealed class DemoProgramTests
{
    [Fact]
    public async Task First_start_seeds_a_living_program_once()
    {
        await using var factory = new OrchestratorFactory(settings: new Dictionary<string, string?> { ["Midrc:SeedDemo"] = "true" });
        using var client = factory.CreateClient();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<IQuarantineStore>();

        var sites = await db.Sites.ToListAsync();
        sites.Count.ShouldBe(6);
        sites.Select(s => s.Country).Distinct().Count().ShouldBe(6);
        sites.Select(s => s.Stage).Distinct().ShouldBe([SiteStage.Invited, SiteStage.Onboarding, SiteStage.Active], ignoreOrder: true);
        var inMotion = await db.WorkflowInstances.Select(i => new { i.DefinitionId, i.State, i.SiteId }).ToListAsync();
        var codes = sites.ToDictionary(s => s.Id, s => s.Code);
        inMotion.Where(i => i.DefinitionId != "release").Select(i => (i.DefinitionId, codes[i.SiteId!.Value], i.State)).ShouldBe(
            [("site-onboarding", "OSL", "invited"), ("site-onboarding", "SAO", "coordinators-registered"), ("data-solicitation", "TOR", "sent")],
            ignoreOrder: true, "the sites and the request in motion run on their real workflows");
        var sao = sites.Single(s => s.Code == "SAO").Id;
        (await db.WorkflowJournal.CountAsync(j => db.WorkflowInstances.Any(i => i.Id == j.InstanceId && i.SubjectId == sao))).ShouldBe(3, "started, agreement signed, coordinators registered");

        var release = await db.Releases.Include(r => r.Items).SingleAsync(r => r.Number == 1);
        release.State.ShouldBe(ReleaseState.Published);
        release.Items.ShouldNotBeEmpty();
        scope.ServiceProvider.GetRequiredService<ReleaseBuilder>().IsIntact(release).ShouldBeTrue("the demo release is built and published by the real builder");
        (await db.Releases.SingleAsync(r => r.Number == 2)).State.ShouldBe(ReleaseState.Open, "publication opens the next release");
        (await db.Outbox.CountAsync(m => m.Template == ReleaseNotifier.PublishedTemplate && m.ToAddress == "coordinator@uch.example")).ShouldBe(1);
        var released = await db.Instances.Where(i => release.Items.Select(r => r.InstanceId).Contains(i.Id)).ToListAsync();
        released.ShouldAllBe(i => i.QuarantineState == QuarantineState.Verified, "only verified files are ever released");
        released.ShouldAllBe(i => store.Contains(i.Sha256));

        var muc = await db.Submissions.SingleAsync(s => s.Site!.Code == "MUC");
        muc.Status.ShouldBe(SubmissionStatus.AwaitingFixes);
        (await db.Findings.Where(f => f.SubmissionId == muc.Id && f.Status == FindingStatus.Open).Select(f => f.Rule).ToListAsync())
            .ShouldContain("qa.count-mismatch");
        (await db.Instances.Where(i => i.SubmissionId == muc.Id).AllAsync(i => i.QuarantineState == QuarantineState.Quarantined)).ShouldBeTrue();
        (await db.Solicitations.CountAsync()).ShouldBeGreaterThanOrEqualTo(4);
        (await db.People.CountAsync()).ShouldBe(9);

        await scope.ServiceProvider.GetRequiredService<DemoProgram>().SeedIfEmptyAsync(CancellationToken.None);
        (await db.Sites.CountAsync()).ShouldBe(6, "a restart does not seed twice");
    }
}
