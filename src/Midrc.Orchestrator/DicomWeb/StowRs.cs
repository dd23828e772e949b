using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Midrc.Orchestrator.Submissions;

namespace Midrc.Orchestrator.DicomWeb;

/// <summary>
/// DICOMweb STOW-RS (PS3.18 §10.5): <c>POST /dicomweb/studies[/{study}]</c> with <c>multipart/related; type="application/dicom"</c>.
/// The body is read part by part as it streams (never buffered whole); each instance goes through the same intake as
/// every other channel, one submission per request, completed at the end. The response lists each instance as stored
/// (0008,1199) or failed (0008,1198) with a failure reason (0008,1197). No RetrieveURL is given: quarantine is never served.
/// </summary>
public static class StowRs
{
    public const string DicomJson = "application/dicom+json";

    /// <summary>PS3.18 Table 10.5.3-1 / PS3.4 failure reasons used here.</summary>
    public static class FailureReason
    {
        /// <summary>Processing failure (e.g. the instance belongs to another study than the one addressed).</summary>
        public const ushort ProcessingFailure = 0x0110;

        /// <summary>Out of resources: the instance is over a size limit.</summary>
        public const ushort OutOfResources = 0xA700;

        /// <summary>The part is not a DICOM instance this server can read.</summary>
        public const ushort CannotUnderstand = 0xC000;
    }

    private const int MaxWarnings = 20;

    private sealed record Part(int Number, ReceivedObject? Stored, ushort? Failure, string? Reason);

    public static IEndpointRouteBuilder MapDicomWeb(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/dicomweb").WithTags("DICOMweb").RequireSiteToken()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapPost("/studies", (HttpContext http, SubmissionIntake intake, CancellationToken ct) => StoreAsync(http, intake, null, ct))
            .WithSummary("STOW-RS: stores DICOM instances (multipart/related; type=\"application/dicom\"), authenticated by the site's API token (Bearer, or Basic with the token as password).")
            .Accepts<Stream>("multipart/related", "*/*").Produces(StatusCodes.Status200OK, contentType: DicomJson)
            .Produces(StatusCodes.Status202Accepted, contentType: DicomJson).Produces(StatusCodes.Status409Conflict, contentType: DicomJson);
        group.MapPost("/studies/{study}", (string study, HttpContext http, SubmissionIntake intake, CancellationToken ct) => StoreAsync(http, intake, study, ct))
            .WithSummary("STOW-RS to one study: instances of another study are refused.")
            .Accepts<Stream>("multipart/related", "*/*").Produces(StatusCodes.Status200OK, contentType: DicomJson)
            .Produces(StatusCodes.Status202Accepted, contentType: DicomJson).Produces(StatusCodes.Status409Conflict, contentType: DicomJson);
        return app;
    }

    private static async Task<IResult> StoreAsync(HttpContext http, SubmissionIntake intake, string? study, CancellationToken ct)
    {
        var boundary = CheckContentType(http.Request.ContentType);
        SubmissionsApi.AllowLargeBody(http);
        var caller = http.Caller();
        var submission = await intake.OpenAsync(caller.Site, new NewSubmission(SubmissionChannel.StowRs, caller.Actor), ct);
        var parts = await ReadPartsAsync(http.Request.Body, boundary, submission, intake, ct);
        if (parts.Count == 0)
        {
            await intake.AbandonIfEmptyAsync(submission, ct);
            throw IntakeException.Invalid("The request held no parts. Send each DICOM instance as one application/dicom part.");
        }
        var outcomes = await intake.AnalyzeAsync(submission, [.. parts.Where(p => p.Stored is not null).Select(p => p.Stored!)],
            o => o.Readable && (study is null || o.StudyInstanceUid == study), ct);
        var bySha = outcomes.GroupBy(o => o.Sha256, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var stored = new List<FileOutcome>();
        var failed = new List<(FileOutcome? Outcome, ushort Reason, string Text)>();
        foreach (var part in parts)
        {
            if (part.Stored is null)
            {
                failed.Add((null, part.Failure!.Value, part.Reason!));
                continue;
            }
            var outcome = bySha[part.Stored.Sha256];
            if (!outcome.Readable)
            {
                failed.Add((outcome, FailureReason.CannotUnderstand, outcome.Problem ?? "not DICOM"));
            }
            else if (study is not null && outcome.StudyInstanceUid != study)
            {
                failed.Add((outcome, FailureReason.ProcessingFailure, $"belongs to study {outcome.StudyInstanceUid}, not {study}"));
            }
            else
            {
                stored.Add(outcome);
            }
        }
        if (stored.Count > 0)
        {
            await intake.CompleteAsync(submission, caller.Actor, ct);
        }
        else
        {
            await intake.AbandonIfEmptyAsync(submission, ct);
        }
        foreach (var (_, _, text) in failed.Take(MaxWarnings))
        {
            // PS3.18 carries human-readable reasons in Warning headers; quotes and control characters are removed to keep the header valid.
            http.Response.Headers.Append(HeaderNames.Warning, $"299 midrc \"{new string([.. text.Where(c => c >= ' ' && c != '"' && c < 127)])}\"");
        }
        var status = failed.Count == 0 ? StatusCodes.Status200OK : stored.Count > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status409Conflict;
        return Results.Text(Response(stored, failed), DicomJson, Encoding.UTF8, status);
    }

    private static string CheckContentType(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || !type.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase))
        {
            throw new IntakeException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"STOW-RS takes 'multipart/related; type=\"application/dicom\"; boundary=...', not '{contentType}'.");
        }
        var parameter = type.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase));
        if (parameter is not null && !HeaderUtilities.RemoveQuotes(parameter.Value).Equals("application/dicom", StringComparison.OrdinalIgnoreCase))
        {
            throw new IntakeException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"This server stores whole DICOM instances (type=\"application/dicom\"); '{parameter.Value}' (metadata and bulk data) is not supported.");
        }
        return SubmissionsApi.Boundary(type);
    }

    private static async Task<List<Part>> ReadPartsAsync(Stream body, string boundary, Submission submission, SubmissionIntake intake, CancellationToken ct)
    {
        var reader = new MultipartReader(boundary, body);
        var parts = new List<Part>();
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                var number = parts.Count + 1;
                if (section.ContentType is { } partType && !partType.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase))
                {
                    parts.Add(new Part(number, null, FailureReason.CannotUnderstand, $"part {number} is '{partType}', not application/dicom"));
                    continue;
                }
                try
                {
                    parts.Add(new Part(number, await intake.StoreAsync(submission, section.Body, $"stow-part-{number}.dcm", ct), null, null));
                }
                catch (IntakeException e) when (e.Status is StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge)
                {
                    parts.Add(new Part(number, null, e.Status == StatusCodes.Status413PayloadTooLarge ? FailureReason.OutOfResources : FailureReason.CannotUnderstand, e.Message));
                }
            }
        }
        catch (IOException e)
        {
            await intake.AbandonIfEmptyAsync(submission, ct);
            throw IntakeException.Invalid($"The multipart body is malformed after part {parts.Count} ({e.Message}). Check that the boundary in the Content-Type matches the body.");
        }
        return parts;
    }

    private static string Response(List<FileOutcome> stored, List<(FileOutcome? Outcome, ushort Reason, string Text)> failed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (failed.Count > 0)
            {
                json.WriteStartObject("00081198");
                json.WriteString("vr", "SQ");
                json.WriteStartArray("Value");
                foreach (var (outcome, reason, _) in failed)
                {
                    json.WriteStartObject();
                    Uid(json, "00081150", outcome?.SopClassUid);
                    Uid(json, "00081155", outcome?.SopInstanceUid);
                    json.WriteStartObject("00081197");
                    json.WriteString("vr", "US");
                    json.WriteStartArray("Value");
                    json.WriteNumberValue(reason);
                    json.WriteEndArray();
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            if (stored.Count > 0)
            {
                json.WriteStartObject("00081199");
                json.WriteString("vr", "SQ");
                json.WriteStartArray("Value");
                foreach (var outcome in stored)
                {
                    json.WriteStartObject();
                    Uid(json, "00081150", outcome.SopClassUid);
                    Uid(json, "00081155", outcome.SopInstanceUid);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Uid(Utf8JsonWriter json, string tag, string? value)
    {
        json.WriteStartObject(tag);
        json.WriteString("vr", "UI");
        if (value is { Length: > 0 })
        {
            json.WriteStartArray("Value");
            json.WriteStringValue(value);
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }
}
