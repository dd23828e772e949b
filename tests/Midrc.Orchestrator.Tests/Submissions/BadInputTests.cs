using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>
/// Every kind of bad input the issue names, each against one shared server with small limits: each gets a specific
/// message, the server stays up, and the submission accepted at the start never changes.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string PydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";
    private const int MaxFileBytes = 256 * 1024;
    private IntakeHost _host = null!;
    private HttpClient _uch = null!;
    private Guid _accepted;
    private SubmissionView _acceptedBefore = null!;

    public async Task InitializeAsync()
    {
        _host = await IntakeHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Midrc:Intake:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Midrc:Intake:MaxArchiveEntries"] = "10",
        });
        _uch = _host.Client(_host.UchToken);
        _accepted = await IntakeHost.CreateSubmissionAsync(_uch);
        foreach (var file in _host.WriteCt(3))
        {
            (await IntakeHost.PutFileAsync(_uch, _accepted, file)).Dispose();
        }
        _acceptedBefore = await _host.CompleteAsync(_uch, _accepted);
    }

    public async Task DisposeAsync()
    {
        // The server is still up (and describes itself), and what it accepted before is exactly as it was.
        (await _uch.GetAsync("/openapi/v1.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await IntakeHost.GetAsync(_uch, _accepted);
        after.Counts.ShouldBe(_acceptedBefore.Counts);
        after.Status.ShouldBe(_acceptedBefore.Status);
        _uch.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<UploadedFile> PutAndReadAsync(byte[] bytes, string name)
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);
        using var response = await IntakeHost.PutBytesAsync(_uch, id, bytes, name);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<UploadedFile>())!;
    }

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        return JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
    }

    [Fact]
    public async Task A_file_that_is_not_DICOM_is_kept_as_unreadable_with_the_reason()
    {
        var outcome = await PutAndReadAsync(Encoding.UTF8.GetBytes("%PDF-1.4 this is a scanned consent form, not an image"), "consent.pdf");

        outcome.Readable.ShouldBeFalse();
        outcome.Problem.ShouldNotBeNull().ShouldStartWith("'consent.pdf' is not a DICOM file", customMessage: "named as the site sent it, not by the stored copy's hash");
        outcome.Findings.ShouldContain(f => f.Rule.StartsWith("parse.") && f.Severity == "error");
    }

    [Fact]
    public async Task A_truncated_file_is_unreadable_and_says_so()
    {
        var outcome = await PutAndReadAsync(File.ReadAllBytes(Path.Combine(PydicomFiles, "CT_small.dcm"))[..700], "cut.dcm");

        outcome.Readable.ShouldBeFalse();
        outcome.Problem!.ShouldContain("truncated");
    }

    [Fact]
    public async Task A_file_declaring_an_absurd_length_is_unreadable_and_names_the_element()
    {
        var bytes = File.ReadAllBytes(Path.Combine(PydicomFiles, "CT_small.dcm"));
        var at = bytes.AsSpan().IndexOf(new byte[] { 0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N' });
        byte[] patched = [.. bytes[..at], 0x10, 0x00, 0x10, 0x00, (byte)'U', (byte)'N', 0, 0, 0x00, 0x6D, 0x7C, 0x4D, .. bytes[(at + 8)..]];

        var outcome = await PutAndReadAsync(patched, "absurd.dcm");

        outcome.Readable.ShouldBeFalse();
        outcome.Problem!.ShouldContain("(0010,0010) declares 1,300,000,000 bytes");
    }

    [Fact]
    public async Task A_file_over_the_size_limit_is_refused_while_it_streams_and_nothing_is_recorded()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);

        using var response = await IntakeHost.PutBytesAsync(_uch, id, new byte[MaxFileBytes + 1], "huge.dcm");

        (await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge)).ShouldContain("larger than the limit of 0.25 MB per file");
        (await _host.CountAsync<ReceivedFile>(q => q.Where(f => f.SubmissionId == id))).ShouldBe(0);
    }

    [Fact]
    public async Task Empty_uploads_are_refused_with_what_to_do()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);

        using var emptyFile = await IntakeHost.PutBytesAsync(_uch, id, [], "empty.dcm");
        using var emptyForm = await _uch.PostAsync($"/api/submissions/{id}/uploads", new MultipartFormDataContent { { new StringContent("x"), "note" } });

        (await ProblemAsync(emptyFile, HttpStatusCode.BadRequest)).ShouldContain("is empty (0 bytes)");
        (await ProblemAsync(emptyForm, HttpStatusCode.BadRequest)).ShouldContain("held no files");
    }

    [Fact]
    public async Task Bytes_that_do_not_match_their_checksum_are_refused()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);

        using var response = await IntakeHost.PutBytesAsync(_uch, id, File.ReadAllBytes(_host.WriteCt(1)[0]), "slice.dcm", sha256: new string('a', 64));
        using var malformed = await IntakeHost.PutBytesAsync(_uch, id, [1, 2, 3], "x.dcm", sha256: "not-a-hash");

        (await ProblemAsync(response, HttpStatusCode.UnprocessableEntity)).ShouldContain("changed or was damaged in transit");
        (await ProblemAsync(malformed, HttpStatusCode.BadRequest)).ShouldContain("is not a SHA-256 checksum");
    }

    [Fact]
    public async Task Hostile_zip_entries_are_refused_by_name_and_the_good_ones_taken()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);
        var slice = File.ReadAllBytes(_host.WriteCt(1)[0]);
        var archive = Zips.Of(
            [("good/slice.dcm", slice), ("../escape.dcm", slice), ("/etc/cron.d/evil", slice), ("bomb.dcm", new byte[200 * 1024])],
            symlinks: [("link.dcm", "/etc/passwd")]);

        using var response = await _uch.PostAsync($"/api/submissions/{id}/uploads", new MultipartFormDataContent { { new ByteArrayContent(archive), "files", "batch.zip" } });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        result.Files.Select(f => f.Name).ShouldBe(["batch.zip/good/slice.dcm"]);
        var refused = result.Refused.ToDictionary(r => r.Name, r => r.Reason);
        refused["batch.zip/../escape.dcm"].ShouldContain("points outside the archive");
        refused["batch.zip//etc/cron.d/evil"].ShouldContain("points outside the archive");
        refused["batch.zip/bomb.dcm"].ShouldContain("archive bombs");
        refused["batch.zip/link.dcm"].ShouldContain("symbolic link");
    }

    [Fact]
    public async Task A_zip_with_too_many_entries_is_refused_whole()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);
        var archive = Zips.Of(Enumerable.Range(1, 11).Select(i => ($"f{i}.dcm", new byte[] { (byte)i })));

        using var response = await _uch.PostAsync($"/api/submissions/{id}/uploads", new MultipartFormDataContent { { new ByteArrayContent(archive), "files", "many.zip" } });

        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var result = (await response.Content.ReadFromJsonAsync<UploadResult>())!;
        result.Refused.ShouldHaveSingleItem().Reason.ShouldContain("holds 11 entries, more than the limit of 10");
        (await _host.CountAsync<ReceivedFile>(q => q.Where(f => f.SubmissionId == id))).ShouldBe(0);
    }

    [Fact]
    public async Task A_missing_wrong_or_revoked_token_gets_401_with_what_to_do()
    {
        using var none = _host.Client(null);
        using var wrong = _host.Client("midrc_uch_not-a-real-token");

        using var noToken = await none.PostAsJsonAsync("/api/submissions", new { });
        using var wrongToken = await wrong.PostAsJsonAsync("/api/submissions", new { });
        (await ProblemAsync(noToken, HttpStatusCode.Unauthorized)).ShouldContain("Authorization: Bearer");
        noToken.Headers.WwwAuthenticate.ShouldNotBeEmpty();
        (await ProblemAsync(wrongToken, HttpStatusCode.Unauthorized)).ShouldContain("not recognised or has been revoked");

        await using var scope = _host.Factory.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<ApiTokens>();
        var issued = await tokens.CreateAsync("UCH", "to revoke", "pm@test.example", CancellationToken.None);
        using var revokedClient = _host.Client(issued.Token);
        (await IntakeHost.CreateSubmissionAsync(revokedClient)).ShouldNotBe(Guid.Empty);
        await tokens.RevokeAsync(issued.Id, "pm@test.example", CancellationToken.None);
        using var revoked = await revokedClient.PostAsJsonAsync("/api/submissions", new { });
        (await ProblemAsync(revoked, HttpStatusCode.Unauthorized)).ShouldContain("revoked");
    }

    [Fact]
    public async Task Another_sites_submission_is_not_found_and_its_data_request_is_forbidden()
    {
        using var muc = _host.Client(_host.MucToken);

        using var look = await muc.GetAsync($"/api/submissions/{_accepted}");
        using var put = await IntakeHost.PutBytesAsync(muc, _accepted, [1, 2, 3], "x.dcm");
        using var answer = await muc.PostAsJsonAsync("/api/submissions", new { solicitationId = _host.UchRequest });

        (await ProblemAsync(look, HttpStatusCode.NotFound)).ShouldContain("your own site's token");
        (await ProblemAsync(put, HttpStatusCode.NotFound)).ShouldContain("no submission with that id");
        (await ProblemAsync(answer, HttpStatusCode.Forbidden)).ShouldContain("was sent to another site");
    }

    [Theory]
    [InlineData("submitter_id,sex\r\nUCH-0001,Female\r\n", "missing")]
    [InlineData("submitter_id,age_at_index,age_at_index_gt89,sex,race,ethnicity,zip,covid19_positive,icu_indicator,ventilator_indicator,shoe_size\r\n", "shoe_size")]
    public async Task A_csv_with_missing_or_extra_columns_gets_a_finding_per_column(string csv, string expected)
    {
        var result = await PostCsvAsync(Encoding.UTF8.GetBytes(csv));

        result.Accepted.ShouldBeFalse();
        result.Findings.ShouldContain(f => f.Rule.StartsWith("clinical.") && f.Message.Contains(expected));
    }

    [Fact]
    public async Task A_csv_in_a_legacy_encoding_is_refused_with_how_to_save_it()
    {
        var header = Encoding.UTF8.GetString(Curation.Clinical.ClinicalTemplates.File(Curation.Clinical.ClinicalNode.Case)[3..]);
        byte[] latin1 = [.. Encoding.ASCII.GetBytes(header), .. Encoding.Latin1.GetBytes("UCH-0001,57,No,Female,White,Not Hispanic or Latino,606,Yes,Yes,Sí\r\n")];

        var result = await PostCsvAsync(latin1);

        result.Accepted.ShouldBeFalse();
        result.Findings.ShouldContain(f => f.Hint.Contains("CSV UTF-8") || f.Message.Contains("UTF-8"));
    }

    [Fact]
    public async Task A_csv_with_an_enormous_line_is_refused_without_reading_it_all()
    {
        var header = Encoding.UTF8.GetString(Curation.Clinical.ClinicalTemplates.File(Curation.Clinical.ClinicalNode.Case)[3..]);

        var result = await PostCsvAsync(Encoding.UTF8.GetBytes(header + new string('x', 100_000) + "\r\n"));

        result.Accepted.ShouldBeFalse();
        result.Findings.ShouldContain(f => f.Severity == "error");
    }

    private async Task<ClinicalUploadResult> PostCsvAsync(byte[] csv)
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);
        using var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var response = await _uch.PostAsync($"/api/submissions/{id}/clinical/case", content);
        response.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ClinicalUploadResult>())!;
    }

    [Fact]
    public async Task An_unknown_clinical_node_is_a_400_listing_the_nodes()
    {
        var id = await IntakeHost.CreateSubmissionAsync(_uch);

        using var response = await _uch.PostAsync($"/api/submissions/{id}/clinical/diagnosis", new StringContent("a,b\r\n"));

        (await ProblemAsync(response, HttpStatusCode.BadRequest)).ShouldContain("case, visit, procedure, measurement, imaging_study");
        (await _host.InDatabaseAsync(db => db.ReceivedFiles.AnyAsync(f => f.SubmissionId == id))).ShouldBeFalse();
    }
}
