using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Workflows;
using Midrc.Workflows.Timing;

namespace Midrc.Orchestrator.Solicitations;

/// <summary>What a program manager fills in to ask an active site for data.</summary>
public sealed class DataRequestForm
{
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Title { get; set; } = "";

    /// <summary>DICOM modality codes, from <see cref="DataRequests.Modalities"/>.</summary>
    public List<string> Modalities { get; set; } = [];

    [Display(Name = "Number of exams")]
    public int RequestedExams { get; set; } = 100;

    [Display(Name = "Inclusion criteria")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string InclusionCriteria { get; set; } = "";

    /// <summary>The last day the data is due, at the end of that day in the site's time zone.</summary>
    [Display(Name = "Due date")]
    [DataType(DataType.Date)]
    public DateOnly? DueDate { get; set; }
}

/// <summary>
/// Sends a data request to an active site: the <see cref="Solicitation"/> and its <c>data-solicitation</c> workflow,
/// whose first step emails the site's coordinators and starts the response clock.
/// </summary>
public sealed class DataRequests(MidrcDbContext db, WorkflowRuntime runtime, AuditTrail audit, TimeProvider clock)
{
    public const string SolicitationWorkflow = "data-solicitation";
    private const int MaxExams = 1_000_000;

    /// <summary>The modalities a request may ask for, with what each is called.</summary>
    public static IReadOnlyDictionary<string, string> Modalities { get; } = new Dictionary<string, string>
    {
        ["CR"] = "Computed radiography (chest X-ray)",
        ["DX"] = "Digital radiography (chest X-ray)",
        ["CT"] = "Computed tomography",
    };

    /// <summary>Every problem with the request, by field, in words for the program manager; empty when it can be sent.</summary>
    public Dictionary<string, string> Problems(Site site, DataRequestForm form)
    {
        var problems = new Dictionary<string, string>();
        if (site.Stage != SiteStage.Active)
        {
            problems[""] = $"{site.Code} is {site.Stage.ToString().ToLowerInvariant()}, not active: a site can be asked for data once its test transfer has passed.";
        }
        if (string.IsNullOrWhiteSpace(form.Title) || form.Title.Trim().Length > 200)
        {
            problems[nameof(form.Title)] = "Give the request a short title the site will recognise, e.g. Chest X-rays 2026 (at most 200 characters).";
        }
        if (form.Modalities.Count == 0 || form.Modalities.Any(m => !Modalities.ContainsKey(m)))
        {
            problems[nameof(form.Modalities)] = "Choose at least one modality.";
        }
        if (form.RequestedExams is < 1 or > MaxExams)
        {
            problems[nameof(form.RequestedExams)] = $"Give the number of exams asked for, between 1 and {MaxExams:N0}.";
        }
        if (form.InclusionCriteria.Trim().Length > 2000)
        {
            problems[nameof(form.InclusionCriteria)] = "Keep the inclusion criteria under 2,000 characters.";
        }
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), ZoneOf(site)).DateTime);
        if (form.DueDate is not { } due || due <= today)
        {
            problems[nameof(form.DueDate)] = $"Give a due date after today ({today:d MMM yyyy} at the site).";
        }
        return problems;
    }

    /// <summary>Saves the request and starts its workflow; call <see cref="Problems"/> first.</summary>
    /// <exception cref="ArgumentException">The request has problems.</exception>
    public async Task<Solicitation> SendAsync(Site site, DataRequestForm form, Actor actor, CancellationToken cancellationToken)
    {
        if (Problems(site, form).Values.FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem, nameof(form));
        }
        var due = form.DueDate!.Value;
        var zone = ZoneOf(site);
        var endOfDay = due.ToDateTime(new TimeOnly(23, 59));
        var request = new Solicitation
        {
            SiteId = site.Id,
            Title = form.Title.Trim(),
            Modalities = string.Join(',', Modalities.Keys.Where(form.Modalities.Contains)),
            RequestedExams = form.RequestedExams,
            InclusionCriteria = form.InclusionCriteria.Trim(),
            DueAt = new DateTimeOffset(endOfDay, zone.GetUtcOffset(endOfDay)).ToUniversalTime(),
            Status = SolicitationStatus.Draft,
            CreatedBy = actor.Name,
            CreatedAt = clock.GetUtcNow(),
        };
        db.Solicitations.Add(request);
        audit.Record(actor.Name, "request.sent", nameof(Solicitation), request.Id.ToString(), site.Id,
            new { request.Title, request.Modalities, request.RequestedExams, due = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
        await db.SaveChangesAsync(cancellationToken);

        // Its own transaction: the request email and the response deadline are written with the workflow's first step.
        await runtime.StartAsync(new StartRequest(SolicitationWorkflow, request.Id, site.Id, actor)
        {
            Data = new Dictionary<string, string>
            {
                ["due-date"] = due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["exams-requested"] = request.RequestedExams.ToString(CultureInfo.InvariantCulture),
                ["exams-accepted"] = "0",
            },
        }, cancellationToken);
        return request;
    }

    private static TimeZoneInfo ZoneOf(Site site) => DueTimes.TryFindTimeZone(site.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
}
