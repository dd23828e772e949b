using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Midrc.Curation.Clinical;
using Midrc.Curation.Findings;
using Midrc.Curation.Reports;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Submissions;

public sealed record CreateSubmissionRequest(Guid? SolicitationId = null, int? DeclaredFiles = null, int? DeclaredStudies = null, string? Channel = null);

public sealed record CreatedSubmission(Guid Id, string Status);

public sealed record MissingFilesRequest(IReadOnlyList<string> Sha256);

public sealed record MissingFilesResponse(IReadOnlyList<string> Missing);

/// <summary>A finding as the API shows it (severity spelled out, as in the <c>midrc verify</c> report).</summary>
public sealed record FindingView(string File, string Rule, string Severity, string Tag, string Path, string Keyword, string Message, string Hint)
{
    public static FindingView Of(Finding f) => new(f.File, f.Rule, VerificationReport.SeverityName(f.Severity), f.Tag, f.Path, f.Keyword, f.Message, f.Hint);
}

public sealed record UploadedFile(string Name, string Sha256, long SizeBytes, bool Readable, bool AlreadyReceived, string? SopInstanceUid, string? Problem, IReadOnlyList<FindingView> Findings)
{
    public static UploadedFile Of(FileOutcome o) =>
        new(o.Name, o.Sha256, o.SizeBytes, o.Readable, o.AlreadyReceived, o.SopInstanceUid, o.Problem, [.. o.Findings.Select(FindingView.Of)]);
}

public sealed record UploadResult(IReadOnlyList<UploadedFile> Files, IReadOnlyList<RefusedFile> Refused);

public sealed record ClinicalUploadResult(string Node, string File, int Rows, bool Accepted, IReadOnlyList<FindingView> Findings);

public sealed record SubmissionCounts(int Files, long Bytes, int Unreadable, int ClinicalFiles, int Instances, int Studies, int Series, int Errors, int Warnings);

public sealed record SubmissionView(
    Guid Id, string Site, string Channel, string Status, Guid? SolicitationId, int? DeclaredFiles, int? DeclaredStudies,
    DateTimeOffset StartedAt, DateTimeOffset? CompletedAt, SubmissionCounts Counts, IReadOnlyList<RuleGroup> Findings);

/// <summary>
/// The upload API sites' tools and the browser page use: start a submission, ask what is missing (resume), send files
/// (raw, checked against their SHA-256), send a browser's files and zip archives, send clinical CSVs, complete, look.
/// </summary>
public static class SubmissionsApi
{
    public static IEndpointRouteBuilder MapSubmissionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/clinical/templates/{file}", (string file) =>
                ClinicalDictionary.Nodes.FirstOrDefault(n => ClinicalTemplates.FileName(n.Node) == file) is { } node
                    ? Results.File(ClinicalTemplates.File(node.Node), "text/csv; charset=utf-8", ClinicalTemplates.FileName(node.Node))
                    : Results.Problem($"There is no template '{file}'. Templates: {string.Join(", ", ClinicalDictionary.Nodes.Select(n => ClinicalTemplates.FileName(n.Node)))}.",
                        statusCode: StatusCodes.Status404NotFound, title: "Not found"))
            .WithTags("Clinical data").WithSummary("Downloads a clinical CSV template (case.csv, visit.csv, procedure.csv, measurement.csv, imaging_study.csv).")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound);

        var group = app.MapGroup("/api/submissions").WithTags("Submissions").RequireSiteToken()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/", async (CreateSubmissionRequest? request, HttpContext http, SubmissionIntake intake, CancellationToken ct) =>
        {
            request ??= new CreateSubmissionRequest();
            var channel = request.Channel?.ToLowerInvariant() switch
            {
                null or "" or "cli" => SubmissionChannel.Cli,
                "browser" => SubmissionChannel.Browser,
                _ => throw IntakeException.Invalid($"channel '{request.Channel}' is not one of: cli, browser."),
            };
            var caller = http.Caller();
            var submission = await intake.OpenAsync(caller.Site,
                new NewSubmission(channel, caller.Actor, request.SolicitationId, request.DeclaredFiles, request.DeclaredStudies), ct);
            return Results.Created($"/api/submissions/{submission.Id}", new CreatedSubmission(submission.Id, submission.Status.ToString()));
        }).WithSummary("Starts a submission for the token's site, optionally answering a data request and declaring counts.")
            .Produces<CreatedSubmission>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{id:guid}/files/missing", async (Guid id, MissingFilesRequest request, HttpContext http, SubmissionIntake intake, CancellationToken ct) =>
        {
            var submission = await intake.FindAsync(http.Caller().Site, id, ct);
            return Results.Ok(new MissingFilesResponse(await intake.MissingAsync(submission, request.Sha256 ?? [], ct)));
        }).WithSummary("Of the given SHA-256 checksums, returns those the submission does not hold yet: a resuming client sends only these.")
            .Produces<MissingFilesResponse>().ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapPut("/{id:guid}/files/{sha256}", async (Guid id, string sha256, HttpContext http, SubmissionIntake intake, CancellationToken ct) =>
        {
            var expected = SubmissionIntake.NormalizeHash(sha256);
            var submission = await intake.FindAsync(http.Caller().Site, id, ct);
            AllowLargeBody(http);
            var name = http.Request.Headers["X-File-Name"].ToString() is { Length: > 0 } header ? Uri.UnescapeDataString(header) : expected;
            var stored = await intake.StoreAsync(submission, http.Request.Body, name, ct, expected);
            var outcome = UploadedFile.Of((await intake.AnalyzeAsync(submission, [stored], SubmissionIntake.KeepAll, ct))[0]);
            return outcome.AlreadyReceived ? Results.Ok(outcome) : Results.Created($"/api/submissions/{id}/files/{expected}", outcome);
        }).WithSummary("Uploads one file as raw bytes (header X-File-Name: its relative path, percent-encoded); the bytes must hash to the SHA-256 in the address.")
            .Accepts<Stream>("application/octet-stream", "*/*").Produces<UploadedFile>(StatusCodes.Status201Created).Produces<UploadedFile>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/{id:guid}/uploads", async (Guid id, HttpContext http, SubmissionIntake intake, IOptions<IntakeOptions> options, CancellationToken ct) =>
        {
            var submission = await intake.FindAsync(http.Caller().Site, id, ct);
            AllowLargeBody(http);
            var stored = new List<ReceivedObject>();
            var refused = new List<RefusedFile>();
            var archives = new ArchiveIntake(intake, options.Value);
            var reader = FormReader(http.Request);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).ToString();
                try
                {
                    // A part with a Content-Digest is one file as it is on the sender's disk (midrc submit), a zip too.
                    var expected = section.Headers?.TryGetValue(ContentDigest.Header, out var digest) == true ? ContentDigest.Sha256(digest, name) : null;
                    if (expected is null && (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || section.ContentType is "application/zip" or "application/x-zip-compressed"))
                    {
                        await archives.ReceiveAsync(submission, section.Body, name, stored, refused, ct);
                    }
                    else
                    {
                        stored.Add(await intake.StoreAsync(submission, section.Body, name, ct, expected));
                    }
                }
                catch (IntakeException e) when (e.Status is StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge or StatusCodes.Status422UnprocessableEntity)
                {
                    refused.Add(new RefusedFile(name, e.Message));
                }
            }
            if (stored.Count == 0 && refused.Count == 0)
            {
                throw IntakeException.Invalid("The upload held no files. Choose files, a folder or a zip archive, and send them as multipart/form-data file fields.");
            }
            var outcomes = await intake.AnalyzeAsync(submission, stored, SubmissionIntake.KeepAll, ct);
            var result = new UploadResult([.. outcomes.Select(UploadedFile.Of)], refused);
            return stored.Count == 0 ? Results.UnprocessableEntity(result) : Results.Ok(result);
        }).WithSummary("Files and zip archives as multipart/form-data (the browser page; midrc submit sends its files so, in batches). A file part may carry a Content-Digest (sha-256=:BASE64:) its bytes must match. Refused files and archive entries are listed by name with the reason.")
            .Accepts<IFormFileCollection>("multipart/form-data", "*/*").Produces<UploadResult>().Produces<UploadResult>(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapPost("/{id:guid}/clinical/{node}", async (Guid id, string node, HttpContext http, SubmissionIntake intake, CancellationToken ct) =>
        {
            var definition = ClinicalDictionary.Nodes.FirstOrDefault(n => n.Name == node)
                ?? throw IntakeException.Invalid($"'{node}' is not a clinical node. Use one of: {string.Join(", ", ClinicalDictionary.Nodes.Select(n => n.Name))}.");
            var submission = await intake.FindAsync(http.Caller().Site, id, ct);
            var (content, name) = await ClinicalFileAsync(http.Request, $"{definition.Name}.csv", ct);
            var result = await intake.ReceiveClinicalAsync(submission, definition.Node, content, name, ct);
            var view = new ClinicalUploadResult(definition.Name, result.File, result.Rows.Count, result.Accepted, [.. result.Findings.Select(FindingView.Of)]);
            return result.Accepted ? Results.Ok(view) : Results.UnprocessableEntity(view);
        }).WithSummary("Uploads one clinical CSV (raw text/csv, or one file in multipart/form-data) for a node: case, visit, procedure, measurement, imaging_study. Every bad row and column is a finding.")
            .Accepts<Stream>("text/csv", "multipart/form-data", "*/*").Produces<ClinicalUploadResult>().Produces<ClinicalUploadResult>(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapPost("/{id:guid}/complete", async (Guid id, HttpContext http, SubmissionIntake intake, CancellationToken ct) =>
        {
            var submission = await intake.FindAsync(http.Caller().Site, id, ct);
            await intake.CompleteAsync(submission, http.Caller().Actor, ct);
            return Results.Accepted($"/api/submissions/{id}", new CreatedSubmission(id, submission.Status.ToString()));
        }).WithSummary("Says the submission is complete: it takes no more files and is indexed and checked in the background (then the submission workflow starts).")
            .Produces<CreatedSubmission>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/{id:guid}", async (Guid id, HttpContext http, SubmissionIntake intake, MidrcDbContext db, CancellationToken ct) =>
            Results.Ok(await ViewAsync(db, await intake.FindAsync(http.Caller().Site, id, ct), http.Caller().Site.Code, ct)))
            .WithSummary("The submission's status, counts, and findings grouped by rule, then by study and series.")
            .Produces<SubmissionView>();
        return app;
    }

    // Every upload endpoint also declares */* so that routing lets any content type through to the handler, which
    // answers a wrong one with problem details a person can act on instead of an empty 415.

    /// <summary>Uploads are bounded by the intake's own limits while they stream, not by the server's default body size.</summary>
    internal static void AllowLargeBody(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
    }

    private static MultipartReader FormReader(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new IntakeException(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Send files as multipart/form-data (got '{request.ContentType}').");
        }
        return new MultipartReader(Boundary(type), request.Body);
    }

    /// <summary>The multipart boundary of a content type; a missing one is a 400 saying so.</summary>
    internal static string Boundary(MediaTypeHeaderValue type) =>
        HeaderUtilities.RemoveQuotes(type.Boundary).ToString() is { Length: > 0 and <= 200 } boundary
            ? boundary
            : throw IntakeException.Invalid($"The content type '{type}' has no usable boundary parameter, so the parts cannot be told apart.");

    private static async Task<(Stream Content, string Name)> ClinicalFileAsync(HttpRequest request, string defaultName, CancellationToken ct)
    {
        if (!request.ContentType?.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) ?? true)
        {
            var header = request.Headers["X-File-Name"].ToString();
            return (request.Body, header.Length > 0 ? Uri.UnescapeDataString(header) : defaultName);
        }
        var reader = FormReader(request);
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) && disposition.IsFileDisposition())
            {
                return (section.Body, HeaderUtilities.RemoveQuotes(disposition.FileName).ToString() is { Length: > 0 } n ? n : defaultName);
            }
        }
        throw IntakeException.Invalid("The upload held no CSV file. Send the CSV as the request body (text/csv) or as one file field.");
    }

    private static async Task<SubmissionView> ViewAsync(MidrcDbContext db, Submission submission, string siteCode, CancellationToken ct)
    {
        var files = await db.ReceivedFiles.AsNoTracking().Where(f => f.SubmissionId == submission.Id)
            .Select(f => new { f.Name, f.Kind, f.Readable, f.SizeBytes, f.Analysis }).ToListAsync(ct);
        var analyses = files.Select(f => (f.Name, f.Kind, Analysis: SubmissionIntake.Deserialize(f.Analysis))).ToList();
        // Before indexing, the per-file findings are all there is; afterwards the stored findings still open (cross-file ones too).
        IEnumerable<Finding> findings = submission.Status is SubmissionStatus.Receiving or SubmissionStatus.Analyzing
            ? analyses.SelectMany(a => a.Analysis.Findings)
            : (await db.Findings.AsNoTracking().Where(f => f.SubmissionId == submission.Id && ProgramProgress.OpenStatuses.Contains(f.Status)).ToListAsync(ct))
                .Select(f => new Finding { File = f.File, Rule = f.Rule, Severity = f.Severity, Tag = f.Tag, Path = f.Path, Keyword = f.Keyword, Message = f.Message, Hint = f.Hint });
        var report = new VerificationReportBuilder().AddFindings(findings).Build();
        var attributes = analyses.Where(a => a.Kind == ReceivedFileKind.Dicom).GroupBy(a => a.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Analysis.Index, StringComparer.Ordinal);
        var instances = db.Instances.Where(i => i.SubmissionId == submission.Id);
        var counts = new SubmissionCounts(
            files.Count(f => f.Kind == ReceivedFileKind.Dicom),
            files.Sum(f => f.SizeBytes),
            files.Count(f => f.Kind == ReceivedFileKind.Dicom && !f.Readable),
            files.Count(f => f.Kind == ReceivedFileKind.Clinical),
            await instances.CountAsync(ct),
            await instances.Select(i => i.Series!.StudyId).Distinct().CountAsync(ct),
            await instances.Select(i => i.SeriesId).Distinct().CountAsync(ct),
            report.Findings.Count(f => f.Severity == Severity.Error),
            report.Findings.Count(f => f.Severity == Severity.Warning));
        return new SubmissionView(submission.Id, siteCode, submission.Channel.ToString(), submission.Status.ToString(), submission.SolicitationId,
            submission.DeclaredFiles, submission.DeclaredStudies, submission.StartedAt, submission.CompletedAt, counts, CoordinatorSummary.ByRule(report, attributes));
    }
}
