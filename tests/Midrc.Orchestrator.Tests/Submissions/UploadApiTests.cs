using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Infrastructure;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>A site's tool uploads through the API: create, resume, send, complete, look.</summary>
public sealed class UploadApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabases.Providers), MemberType = typeof(TestDatabases))]
    public async Task A_completed_submission_is_indexed_quarantined_checked_and_announced(DatabaseProvider provider)
    {
        await using var host = await IntakeHost.StartAsync(provider);
        using var uch = host.Client(host.UchToken);
        var ct = host.WriteCt(4);
        var chest = host.WriteChest();
        var id = await IntakeHost.CreateSubmissionAsync(uch, new { solicitationId = host.UchRequest, declaredFiles = 6 });

        foreach (var file in ct.Append(chest))
        {
            using var put = await IntakeHost.PutFileAsync(uch, id, file);
            put.StatusCode.ShouldBe(HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        }
        (await host.CountAsync<Instance>()).ShouldBe(0, "nothing is indexed before the site completes the submission");
        (await IntakeHost.GetAsync(uch, id)).Status.ShouldBe("Receiving");

        var view = await host.CompleteAsync(uch, id);

        view.Counts.Files.ShouldBe(5);
        view.Counts.Instances.ShouldBe(5);
        view.Counts.Studies.ShouldBe(2);
        view.Counts.Series.ShouldBe(2);
        view.Findings.Select(g => g.Rule).ShouldContain("qa.count-mismatch", "the site declared 6 files and sent 5");
        var instances = await host.InDatabaseAsync(db => db.Instances.Include(i => i.Stored).Where(i => i.SubmissionId == id).ToListAsync());
        instances.ShouldAllBe(i => i.QuarantineState == QuarantineState.Quarantined);
        instances.ShouldAllBe(i => i.Stored!.Md5.Length == 32 && i.Stored.SizeBytes > 0);
        instances.Select(i => i.OriginalName).ShouldContain(Path.GetFileName(chest));
        (await host.InDatabaseAsync(db => db.WorkflowJournal.CountAsync(j => j.Trigger == "start-qa" && j.Instance!.SubjectId == id))).ShouldBe(1);

        await using (var scope = host.Factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SubmissionIndexer>().IndexAsync(id, CancellationToken.None);
        }
        (await host.CountAsync<Instance>(q => q.Where(i => i.SubmissionId == id))).ShouldBe(5, "indexing again changes nothing");
        (await host.InDatabaseAsync(db => db.WorkflowJournal.CountAsync(j => j.Trigger == "start-qa" && j.Instance!.SubjectId == id))).ShouldBe(1, "receipt starts QA once");
    }

    [Fact]
    public async Task An_interrupted_upload_resumes_with_only_the_missing_files()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var files = host.WriteCt(3);
        var hashes = files.Select(f => IntakeHost.Sha256(File.ReadAllBytes(f))).ToList();
        var id = await IntakeHost.CreateSubmissionAsync(uch);
        using (var first = await IntakeHost.PutFileAsync(uch, id, files[0]))
        {
            first.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        using var missing = await uch.PostAsJsonAsync($"/api/submissions/{id}/files/missing", new { sha256 = hashes.Select(h => h.ToUpperInvariant()) });
        (await missing.Content.ReadFromJsonAsync<MissingFilesResponse>())!.Missing.ShouldBe(hashes.Skip(1), ignoreOrder: true);
        using var again = await IntakeHost.PutFileAsync(uch, id, files[0]);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.Content.ReadFromJsonAsync<UploadedFile>())!.AlreadyReceived.ShouldBeTrue();
        (await host.CountAsync<Submission>(q => q.Where(s => s.Status == SubmissionStatus.Receiving))).ShouldBe(1);
        (await host.CountAsync<QaFinding>()).ShouldBe(0, "an unfinished upload is not half visible");
    }

    [Fact]
    public async Task Duplicates_are_recognised_against_everything_the_site_sent_before()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var ct = host.WriteCt(3);
        var first = await IntakeHost.CreateSubmissionAsync(uch);
        foreach (var file in ct)
        {
            (await IntakeHost.PutFileAsync(uch, first, file)).Dispose();
        }
        await host.CompleteAsync(uch, first);
        var changed = File.ReadAllBytes(ct[1]);
        changed[^1] ^= 0xFF;

        var second = await IntakeHost.CreateSubmissionAsync(uch);
        (await IntakeHost.PutFileAsync(uch, second, ct[0])).Dispose();
        (await IntakeHost.PutBytesAsync(uch, second, changed, "changed.dcm")).Dispose();
        var view = await host.CompleteAsync(uch, second);

        view.Findings.Select(g => g.Rule).ShouldBe(["qa.conflicting-sop-instance", "qa.duplicate-sop-instance"], ignoreOrder: true);
        view.Counts.Instances.ShouldBe(1, "the identical file is recognised and indexed once; the conflicting one is indexed with its finding");
        (await host.CountAsync<StoredObject>()).ShouldBe(4, "the same bytes are stored once");
        (await host.CountAsync<Instance>(q => q.Where(i => i.SubmissionId == first))).ShouldBe(3, "nothing already accepted changes");
    }

    [Fact]
    public async Task A_completed_submission_takes_no_more_files_and_an_empty_one_cannot_complete()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var id = await IntakeHost.CreateSubmissionAsync(uch);

        using var empty = await uch.PostAsync($"/api/submissions/{id}/complete", null);
        empty.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await empty.Content.ReadAsStringAsync()).ShouldContain("Upload the files first");

        (await IntakeHost.PutFileAsync(uch, id, host.WriteChest())).Dispose();
        await host.CompleteAsync(uch, id);
        using var late = await IntakeHost.PutFileAsync(uch, id, host.WriteChest());
        late.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await late.Content.ReadAsStringAsync()).ShouldContain("Start a new submission");
    }

    [Fact]
    public async Task The_browser_upload_takes_files_and_zip_archives()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var id = await IntakeHost.CreateSubmissionAsync(uch, new { channel = "browser" });
        var ct = host.WriteCt(3);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(File.ReadAllBytes(host.WriteChest())), "files", "chest.dcm" },
            { new ByteArrayContent(Zips.Of(ct.Select(f => ("series/" + Path.GetFileName(f), File.ReadAllBytes(f))))), "files", "ct.zip" },
        };

        using var response = await uch.PostAsync($"/api/submissions/{id}/uploads", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        result.Refused.ShouldBeEmpty();
        result.Files.Select(f => f.Name).ShouldBe(["chest.dcm", .. ct.Select(f => "ct.zip/series/" + Path.GetFileName(f))], ignoreOrder: true);
        result.Files.ShouldAllBe(f => f.Readable);
        (await host.CompleteAsync(uch, id)).Counts.Instances.ShouldBe(4);
    }

    [Fact]
    public async Task A_file_part_is_taken_only_when_its_bytes_match_its_Content_Digest()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var id = await IntakeHost.CreateSubmissionAsync(uch);
        var (first, second, third) = (host.WriteChest(), host.WriteChest(), host.WriteChest());
        static string Hash(string file) => IntakeHost.Sha256(File.ReadAllBytes(file));
        static ByteArrayContent Part(string file, string digest)
        {
            var part = new ByteArrayContent(File.ReadAllBytes(file));
            part.Headers.Add(ContentDigest.Header, digest);
            return part;
        }
        using var form = new MultipartFormDataContent
        {
            { Part(first, DigestOf(Hash(first))), "files", "whole.dcm" },
            // The digest of other bytes: what a file that changed after it was hashed, or was damaged on its way, looks like.
            { Part(second, DigestOf(Hash(first))), "files", "damaged.dcm" },
            { Part(third, "sha-256=:not base64:"), "files", "garbled.dcm" },
        };

        using var response = await uch.PostAsync($"/api/submissions/{id}/uploads", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        result.Files.Select(f => f.Name).ShouldBe(["whole.dcm"]);
        result.Refused.Select(r => r.Name).ShouldBe(["damaged.dcm", "garbled.dcm"]);
        result.Refused[0].Reason.ShouldContain($"have SHA-256 {Hash(second)}, not {Hash(first)} as sent with it");
        result.Refused[1].Reason.ShouldContain("The Content-Digest of 'garbled.dcm' is not readable");
        (await host.InDatabaseAsync(db => db.ReceivedFiles.Select(f => f.Name).ToListAsync())).ShouldBe(["whole.dcm"]);
    }

    [Fact]
    public async Task A_zip_sent_with_a_Content_Digest_is_kept_as_the_one_file_it_is()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        var id = await IntakeHost.CreateSubmissionAsync(uch);
        var zip = Zips.Of(host.WriteCt(2).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))));
        var part = new ByteArrayContent(zip);
        part.Headers.Add(ContentDigest.Header, DigestOf(IntakeHost.Sha256(zip)));
        using var form = new MultipartFormDataContent { { part, "files", "exam/ct.zip" } };

        using var response = await uch.PostAsync($"/api/submissions/{id}/uploads", form);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        result.Files.Select(f => (f.Name, f.Sha256, f.Readable)).ShouldBe([("exam/ct.zip", IntakeHost.Sha256(zip), false)], "a site's folder may hold a zip; midrc submit sends it as it is, not unpacked");
    }

    /// <summary>The Content-Digest field for bytes with this SHA-256, as midrc submit writes it.</summary>
    private static string DigestOf(string sha256) => $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha256))}:";

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("sha-512=:AAAA:", null)]
    [InlineData("sha-512=:AAAA:, sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("flag, sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:;alg=x", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:, sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void A_Content_Digest_gives_its_sha_256_or_none(string? field, string? sha256) =>
        ContentDigest.Sha256(field, "f.dcm").ShouldBe(sha256);

    [Theory]
    [InlineData("sha-256=")]
    [InlineData("sha-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")]
    [InlineData("sha-256=:AAAA:")]
    public void A_malformed_Content_Digest_is_refused_naming_the_file(string field) =>
        Should.Throw<IntakeException>(() => ContentDigest.Sha256(field, "f.dcm")).Message.ShouldContain("'f.dcm'");

    [Fact]
    public async Task Clinical_templates_download_and_a_good_csv_is_accepted()
    {
        await using var host = await IntakeHost.StartAsync();
        using var uch = host.Client(host.UchToken);
        using var anonymous = host.Client(null);

        var template = await anonymous.GetByteArrayAsync("/api/clinical/templates/case.csv");
        var id = await IntakeHost.CreateSubmissionAsync(uch);
        using var csv = new ByteArrayContent(Curation.Clinical.ClinicalTemplates.File(Curation.Clinical.ClinicalNode.Case, withExample: true));
        using var response = await uch.PostAsync($"/api/submissions/{id}/clinical/case", csv);

        template.ShouldBe(Curation.Clinical.ClinicalTemplates.File(Curation.Clinical.ClinicalNode.Case));
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<ClinicalUploadResult>())!;
        result.Rows.ShouldBe(1);
        result.Accepted.ShouldBeTrue();
        (await host.CompleteAsync(uch, id)).Counts.ClinicalFiles.ShouldBe(1);
    }
}
