using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Tests.Submissions;

namespace Midrc.Orchestrator.Tests.DicomWeb;

/// <summary>STOW-RS as PS3.18 specifies it, with requests built by hand part by part.</summary>
public sealed class StowRsTests : IAsyncLifetime
{
    private IntakeHost _host = null!;

    public async Task InitializeAsync() => _host = await IntakeHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A STOW-RS request body: one part per payload, each with its own content type.</summary>
    internal static MultipartContent Stow(params (string ContentType, byte[] Bytes)[] parts)
    {
        var body = new MultipartContent("related", "midrc-test-boundary");
        body.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var (type, bytes) in parts)
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new MediaTypeHeaderValue(type);
            body.Add(part);
        }
        return body;
    }

    private static async Task<JsonElement> DicomJsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/dicom+json");
        return JsonDocument.Parse(text).RootElement;
    }

    private static IEnumerable<string> Uids(JsonElement response, string sequence) =>
        response.TryGetProperty(sequence, out var seq)
            ? seq.GetProperty("Value").EnumerateArray().Select(i => i.GetProperty("00081155").TryGetProperty("Value", out var v) ? v[0].GetString()! : "")
            : [];

    [Fact]
    public async Task Storing_instances_answers_200_with_each_referenced_and_completes_one_submission()
    {
        var files = _host.WriteCt(3);
        using var client = _host.Client(_host.UchToken);

        using var response = await client.PostAsync("/dicomweb/studies", Stow([.. files.Select(f => ("application/dicom", File.ReadAllBytes(f)))]));

        var json = await DicomJsonAsync(response, HttpStatusCode.OK);
        Uids(json, "00081199").Count().ShouldBe(3);
        json.TryGetProperty("00081198", out _).ShouldBeFalse();
        json.TryGetProperty("00081190", out _).ShouldBeFalse("quarantine is never offered for retrieval");
        var submission = await _host.InDatabaseAsync(db => Task.FromResult(db.Submissions.Single(s => s.Channel == SubmissionChannel.StowRs)));
        (await _host.IndexedAsync(client, submission.Id)).Counts.Instances.ShouldBe(3);
    }

    [Fact]
    public async Task A_non_DICOM_part_fails_alone_with_reason_C000_and_the_others_are_stored()
    {
        var slice = File.ReadAllBytes(_host.WriteCt(1)[0]);
        using var client = _host.Client(_host.UchToken);

        using var response = await client.PostAsync("/dicomweb/studies",
            Stow(("application/dicom", slice), ("application/dicom", Encoding.ASCII.GetBytes("not a DICOM file at all")), ("text/plain", [1, 2, 3])));

        var json = await DicomJsonAsync(response, HttpStatusCode.Accepted);
        Uids(json, "00081199").ShouldHaveSingleItem();
        var failed = json.GetProperty("00081198").GetProperty("Value").EnumerateArray().ToList();
        failed.Count.ShouldBe(2);
        failed.ShouldAllBe(f => f.GetProperty("00081197").GetProperty("Value")[0].GetInt32() == 0xC000);
        response.Headers.GetValues("Warning").ShouldNotBeEmpty();
    }

    [Fact]
    public async Task Only_failures_answer_409_and_leave_no_submission()
    {
        using var client = _host.Client(_host.UchToken);

        using var response = await client.PostAsync("/dicomweb/studies", Stow(("application/dicom", Encoding.ASCII.GetBytes("garbage"))));

        var json = await DicomJsonAsync(response, HttpStatusCode.Conflict);
        json.GetProperty("00081198").GetProperty("Value").GetArrayLength().ShouldBe(1);
        (await _host.CountAsync<Submission>()).ShouldBe(0);
    }

    [Fact]
    public async Task An_instance_of_another_study_than_the_one_addressed_fails()
    {
        using var client = _host.Client(_host.UchToken);

        using var response = await client.PostAsync("/dicomweb/studies/1.2.3.4", Stow(("application/dicom", File.ReadAllBytes(_host.WriteCt(1)[0]))));

        var json = await DicomJsonAsync(response, HttpStatusCode.Conflict);
        json.GetProperty("00081198").GetProperty("Value")[0].GetProperty("00081197").GetProperty("Value")[0].GetInt32().ShouldBe(0x0110);
    }

    [Fact]
    public async Task Basic_authentication_with_the_token_as_password_works_as_gateways_send_it()
    {
        using var client = _host.Client(null);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"gateway:{_host.UchToken}")));

        using var response = await client.PostAsync("/dicomweb/studies", Stow(("application/dicom", File.ReadAllBytes(_host.WriteChest()))));

        await DicomJsonAsync(response, HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_wrong_token_is_401_with_a_challenge_for_both_schemes()
    {
        using var client = _host.Client("midrc_uch_wrong");

        using var response = await client.PostAsync("/dicomweb/studies", Stow(("application/dicom", [1])));

        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Select(h => h.Scheme).ShouldBe(["Bearer", "Basic"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("application/dicom", HttpStatusCode.UnsupportedMediaType, "multipart/related")]
    [InlineData("multipart/related; type=\"application/dicom+xml\"; boundary=b", HttpStatusCode.UnsupportedMediaType, "not supported")]
    [InlineData("multipart/related; type=\"application/dicom\"", HttpStatusCode.BadRequest, "no usable boundary")]
    public async Task A_wrong_content_type_or_a_missing_boundary_is_refused_with_the_reason(string contentType, HttpStatusCode status, string expected)
    {
        using var client = _host.Client(_host.UchToken);
        using var body = new ByteArrayContent(File.ReadAllBytes(_host.WriteChest()));
        body.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.PostAsync("/dicomweb/studies", body);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!.ShouldContain(expected);
        (await _host.CountAsync<Submission>()).ShouldBe(0);
    }
}
