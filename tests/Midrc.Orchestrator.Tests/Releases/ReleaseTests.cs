using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Tests.Infrastructure;
using Midrc.Orchestrator.Tests.Web;

namespace Midrc.Orchestrator.Tests.Releases;

/// <summary>The demo program's release 1, built by the real workflow and builder, and the program managers' API around it.</summary>
public sealed class ReleaseTests
{
    [Fact]
    public async Task The_published_package_matches_its_manifest_and_holds_Gen3_metadata_without_dates()
    {
        await using var factory = new OrchestratorFactory(settings: new Dictionary<string, string?> { ["Midrc:SeedDemo"] = "true", ["Midrc:Jobs:RunServer"] = "false" });
        factory.CreateClient().Dispose();
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MidrcDbContext>();
        var builder = scope.ServiceProvider.GetRequiredService<ReleaseBuilder>();
        var release = await db.Releases.SingleAsync(r => r.Number == 1);
        var open = Path.Combine(builder.PublishedFolder(1), ReleaseBuilder.OpenPart);

        var manifest = File.ReadAllLines(Path.Combine(open, "manifest.tsv"));
        manifest[0].ShouldBe("path\tsize\tmd5\tsha256");
        foreach (var line in manifest.Skip(1))
        {
            var (path, size, md5, sha) = line.Split('\t') switch { var f => (f[0], long.Parse(f[1]), f[2], f[3]) };
            Path.IsPathRooted(path).ShouldBeFalse();
            var bytes = await File.ReadAllBytesAsync(Path.Combine(open, path));
            bytes.LongLength.ShouldBe(size);
#pragma warning disable CA5351 // Data commons manifests carry MD5; the test checks the value, it protects nothing.
            Convert.ToHexStringLower(MD5.HashData(bytes)).ShouldBe(md5);
#pragma warning restore CA5351
            Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(sha);
        }

        manifest.Count(l => l.StartsWith("objects/", StringComparison.Ordinal)).ShouldBe(await db.ReleaseItems.CountAsync(i => i.ReleaseId == release.Id));
        File.ReadAllLines(Path.Combine(open, "metadata", "imaging_study.tsv"))[0].ShouldStartWith("type\tproject_id\tsubmitter_id\tcases.submitter_id\tdays_to_study");
        File.ReadAllText(Path.Combine(open, "metadata", "dx_series_file.tsv")).ShouldContain("object_id");
        File.ReadAllText(Path.Combine(open, "changes.tsv")).ShouldContain("added\t");
        var notes = File.ReadAllText(Path.Combine(open, ReleasePackage.NotesName));
        notes.ShouldContain("## Exams by site");
        notes.ShouldContain("| UCH |");
        Directory.EnumerateFiles(open, "*.tsv", SearchOption.AllDirectories).ShouldAllBe(f => !System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(f), @"\b(19|20)\d\d-\d\d-\d\d\b"), "only day offsets, never dates");
        builder.IsIntact(release).ShouldBeTrue();
        release.PublishedAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task The_api_answers_program_managers_and_coordinators_and_rejects_bad_input_plainly()
    {
        await using var factory = new OrchestratorFactory(settings: new Dictionary<string, string?> { ["Midrc:SeedDemo"] = "true", ["Midrc:Jobs:RunServer"] = "false" });
        factory.CreateClient().Dispose();
        using var pm = await (await SignInFlow.ClientForAsync(factory, "pm@midrc.example")).SendingAntiforgeryTokenAsync();
        using var coordinator = await (await SignInFlow.ClientForAsync(factory, "coordinator@muc.example")).SendingAntiforgeryTokenAsync();
        using var anonymous = factory.CreateClient();

        (await anonymous.GetAsync("/api/releases")).StatusCode.ShouldBeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Redirect, HttpStatusCode.Forbidden);
        var releases = await pm.GetFromJsonAsync<List<ReleaseSummary>>("/api/releases");
        releases!.Select(r => r.State).ShouldBe(["Open", "Published"]);
        var detail = await pm.GetFromJsonAsync<ReleaseDetail>("/api/releases/1");
        detail!.Sites.Select(s => s.Site).ShouldBe(["SGP", "UCH"], "every accepted exam since the previous release");
        (await coordinator.GetFromJsonAsync<ReleaseDetail>("/api/releases/1"))!.Sites.ShouldBeEmpty("a coordinator sees only their own site's counts");
        (await pm.GetAsync("/api/releases/1/manifest")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pm.GetAsync("/api/releases/1/notes")).Content.Headers.ContentType!.MediaType.ShouldBe("text/markdown");

        await ShouldBeProblemAsync(await pm.GetAsync("/api/releases/1/objects"), HttpStatusCode.NotFound, "manifest");
        await ShouldBeProblemAsync(await pm.GetAsync("/api/releases/2/manifest"), HttpStatusCode.NotFound, "not published");
        await ShouldBeProblemAsync(await coordinator.GetAsync("/api/releases/1/manifest"), HttpStatusCode.Forbidden, "program managers");
        await ShouldBeProblemAsync(await coordinator.PostAsync("/api/releases/current/freeze", null), HttpStatusCode.Forbidden, "program manager");
        await ShouldBeProblemAsync(await pm.PostAsync("/api/releases/current/freeze", null), HttpStatusCode.UnprocessableEntity, "nothing to freeze");
        await ShouldBeProblemAsync(await pm.PostAsJsonAsync("/api/releases/current/exclusions", new { site = "UCH" }), HttpStatusCode.BadRequest, "reason");
        await ShouldBeProblemAsync(await pm.PostAsJsonAsync("/api/releases/current/exclusions", new { site = "UCH", studyInstanceUid = "9.9.9", reason = "Consent in question" }), HttpStatusCode.NotFound, "9.9.9");
        await ShouldBeProblemAsync(await pm.DeleteAsync("/api/releases/current/exclusions/UCH/9.9.9"), HttpStatusCode.NotFound, "not excluded");
        await ShouldBeProblemAsync(await pm.PostAsJsonAsync("/api/withdrawals", new { site = "XXX", caseId = "UCH-0001", reason = "Consent withdrawn" }), HttpStatusCode.NotFound, "XXX");
        await ShouldBeProblemAsync(await pm.PostAsJsonAsync("/api/withdrawals", new { site = "UCH", caseId = "" }), HttpStatusCode.BadRequest, "reason");

        (await pm.PostAsJsonAsync("/api/withdrawals", new { site = "UCH", caseId = "UCH-0001", reason = "Consent withdrawn" })).StatusCode.ShouldBe(HttpStatusCode.Created);
        await ShouldBeProblemAsync(await pm.PostAsJsonAsync("/api/withdrawals", new { site = "UCH", caseId = "UCH-0001", reason = "Again" }), HttpStatusCode.Conflict, "already withdrawn");
        (await pm.GetFromJsonAsync<List<WithdrawalLine>>("/api/withdrawals"))!.ShouldHaveSingleItem().TakenEffect.ShouldBeFalse("it takes effect in the next release, never in a published one");
    }

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        response.StatusCode.ShouldBe(status);
        (await response.Content.ReadAsStringAsync()).ShouldContain(detail, Case.Insensitive);
    }

    [Theory]
    [InlineData("Schedule", "0 25 * * MON", "Setting Midrc:Releases:Schedule '0 25 * * MON' is not a valid cron expression")]
    [InlineData("TimeZone", "America/Chicgo", "Setting Midrc:Releases:TimeZone 'America/Chicgo' is not a known time zone")]
    [InlineData("SequesteredFraction", "0.9", "Setting Midrc:Releases:SequesteredFraction must be between 0")]
    [InlineData("LeaseDuration", "00:00:00", "Setting Midrc:Releases:LeaseDuration must be between")]
    [InlineData("BatchSize", "0", "Setting Midrc:Releases:BatchSize must be between")]
    [InlineData("FailAt", "lunch", "Setting Midrc:Releases:FailAt 'lunch' names no build step")]
    public void A_wrong_release_setting_is_named_in_one_sentence(string key, string value, string expected)
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build().Get<ReleaseOptions>()!;

        options.Problems().ShouldHaveSingleItem().ShouldStartWith(expected);
    }

    [Fact]
    public async Task A_wrong_schedule_stops_start_up_with_exit_code_2()
    {
        using var folder = new TempFolder();

        var outcome = await HostProcess.RunUntilExitAsync(folder.Path, new Dictionary<string, string> { ["Midrc__Releases__Schedule"] = "every monday" }, TimeSpan.FromSeconds(60), "--urls", "http://127.0.0.1:0");

        outcome.ExitCode.ShouldBe(2, outcome.Output + outcome.Error);
        outcome.Error.ShouldContain("Setting Midrc:Releases:Schedule 'every monday' is not a valid cron expression");
    }

    [Fact]
    public void The_sequestered_split_is_reproducible_stratified_and_near_the_fraction()
    {
        var site = Guid.NewGuid();
        var cases = Enumerable.Range(0, 400).Select(i => new SplitCase(site, $"C-{i:D4}", i % 2 == 0 ? "S|F|30-39|DX" : "S|M|60-69|CT")).ToList();

        var first = SequesteredSplit.Choose(cases, 0.2, "seed");
        var again = SequesteredSplit.Choose(Enumerable.Reverse(cases), 0.2, "seed");
        var other = SequesteredSplit.Choose(cases, 0.2, "another seed");

        first.Count.ShouldBe(80);
        again.ShouldBe(first, ignoreOrder: true);
        other.SetEquals(first).ShouldBeFalse();
        cases.Where(c => first.Contains((c.SiteId, c.CaseId))).GroupBy(c => c.Stratum).Select(g => g.Count()).ShouldAllBe(n => n == 40);
        SequesteredSplit.AgeBand(null, true).ShouldBe(">89");
        SequesteredSplit.AgeBand(45, false).ShouldBe("40-49");
    }
}
