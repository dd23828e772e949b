using Microsoft.EntityFrameworkCore;
using Midrc.Curation.Profiles;
using Midrc.Curation.Synthetic;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Qa;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Solicitations;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;
using Severity = Midrc.Curation.Findings.Severity;

namespace Midrc.Orchestrator.Demo;

/// <summary>
/// Seeds a living demo program into an empty database, so a newcomer sees a real program the first
/// time: six sites in six countries at different stages, their people, data requests, submissions of
/// DICOM generated here through GDCM (chest radiographs and a small CT series), QA findings from the
/// real checks, and a published release built by the real release workflow and builder. Nothing here is copied from a real patient or a real site.
/// </summary>
public sealed class DemoProgram(
    MidrcDbContext db,
    SubmissionIntake intake,
    SubmissionIndexer indexer,
    ReleaseCalendar calendar,
    WorkflowRuntime runtime,
    WorkflowJobRunner jobs,
    ActorResolver actors,
    TimeProvider clock,
    ILogger<DemoProgram> logger)
{
    public const string ProgramCode = "MIDRC-COVID";

    private sealed record DemoSite(string Code, string Name, string Institution, string Country, string TimeZone, SiteStage Stage, int TargetExams, string Coordinator);

    private static readonly DemoSite[] DemoSites =
    [
        new("UCH", "Lakeside University Medical Center", "Lakeside University", "US", "America/Chicago", SiteStage.Active, 1200, "Maria Alvarez"),
        new("MUC", "Isar Valley Clinic", "Isar Valley Clinic gGmbH", "DE", "Europe/Berlin", SiteStage.Active, 800, "Jonas Weber"),
        new("SGP", "Harbourfront Medical Centre", "Harbourfront Health", "SG", "Asia/Singapore", SiteStage.Active, 600, "Wei Ling Tan"),
        new("TOR", "Queen's Park General Hospital", "Queen's Park Health Network", "CA", "America/Toronto", SiteStage.Active, 900, "Olivia Tremblay"),
        new("SAO", "Hospital Paulista de Pneumologia", "Fundação Paulista", "BR", "America/Sao_Paulo", SiteStage.Onboarding, 700, "Rafael Souza"),
        new("OSL", "Fjord University Hospital", "Fjord Health Trust", "NO", "Europe/Oslo", SiteStage.Invited, 500, "Ingrid Berg"),
    ];

    /// <summary>Seeds the demo program unless the database already holds a program.</summary>
    public async Task SeedIfEmptyAsync(CancellationToken cancellationToken)
    {
        if (await db.Programs.AnyAsync(cancellationToken))
        {
            return;
        }
        var now = clock.GetUtcNow();
        var program = new CollectionProgram
        {
            Code = ProgramCode,
            Name = "COVID-19 imaging collection (demo)",
            Description = "De-identified chest radiographs and CT with clinical data, collected from sites around the world for an open research commons.",
            CreatedAt = now.AddDays(-200),
        };
        db.Programs.Add(program);
        var audit = new AuditTrail(db, clock);
        AddPerson("admin@midrc.example", "Operations Admin", "UTC", Role.Admin, null);
        AddPerson("pm@midrc.example", "Dana Whitfield", "America/Chicago", Role.ProgramManager, null);
        AddPerson("pm2@midrc.example", "Kofi Mensah", "Europe/London", Role.ProgramManager, null);

        var sites = new Dictionary<string, Site>();
        foreach (var d in DemoSites)
        {
            var site = new Site
            {
                ProgramId = program.Id,
                Code = d.Code,
                Name = d.Name,
                Institution = d.Institution,
                Country = d.Country,
                TimeZone = d.TimeZone,
                Stage = d.Stage,
                TargetExams = d.TargetExams,
                CreatedAt = now.AddDays(-180),
                StageChangedAt = now.AddDays(d.Stage == SiteStage.Active ? -120 : -9),
            };
            sites[d.Code] = site;
            db.Sites.Add(site);
            AddPerson($"coordinator@{d.Code.ToLowerInvariant()}.example", d.Coordinator, d.TimeZone, Role.SiteCoordinator, site);
            audit.Record("pm@midrc.example", "site.invited", nameof(Site), site.Id.ToString(), site.Id);
        }
        await db.SaveChangesAsync(cancellationToken);

        var requests = new Dictionary<string, Solicitation>();
        foreach (var code in new[] { "UCH", "MUC", "SGP", "TOR" })
        {
            var request = new Solicitation
            {
                SiteId = sites[code].Id,
                Title = "COVID-19 chest imaging, 2020–2021 admissions",
                Modalities = "CR,DX,CT",
                RequestedExams = code == "UCH" ? 400 : 250,
                InclusionCriteria = "Age ≥ 18; COVID-19 confirmed by RT-PCR or antigen; imaging within 14 days of the positive test.",
                DueAt = now.AddDays(code == "TOR" ? 21 : 45),
                Status = code switch { "UCH" => SolicitationStatus.InProgress, "TOR" => SolicitationStatus.Sent, _ => SolicitationStatus.Acknowledged },
                CreatedBy = "pm@midrc.example",
                CreatedAt = now.AddDays(-60),
            };
            requests[code] = request;
            db.Solicitations.Add(request);
        }
        await db.SaveChangesAsync(cancellationToken);

        await StartWorkflowsAsync(sites, requests["TOR"], cancellationToken);

        var scratch = Directory.CreateTempSubdirectory("midrc-demo-");
        try
        {
            await SubmitAsync(sites["UCH"], requests["UCH"], scratch.FullName, patients: 6, ctSlices: 24, declaredFiles: null, now.AddDays(-40), cancellationToken);
            await SubmitAsync(sites["MUC"], requests["MUC"], scratch.FullName, patients: 3, ctSlices: 16, declaredFiles: 30, now.AddDays(-3), cancellationToken);
            await SubmitAsync(sites["SGP"], requests["SGP"], scratch.FullName, patients: 2, ctSlices: 0, declaredFiles: null, now.AddHours(-5), cancellationToken);
            await PublishAsync(program, cancellationToken);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
        logger.LogInformation("Seeded the demo program {Program}: {Sites} sites; sign in as pm@midrc.example or coordinator@<site>.example", program.Code, DemoSites.Length);

        void AddPerson(string email, string name, string timeZone, Role role, Site? site)
        {
            var person = new Person { Email = email, DisplayName = name, TimeZone = timeZone, CreatedAt = now.AddDays(-200) };
            person.Roles.Add(new RoleAssignment { PersonId = person.Id, Role = role, SiteId = site?.Id });
            db.People.Add(person);
        }
    }

    /// <summary>
    /// The sites and the request still in motion run on their real workflows, so their pages show a timeline, a diagram
    /// and the actions people may take now: OSL is invited, SAO has signed its agreement and registered its coordinator and
    /// owes its test transfer, and TOR's data request waits for an answer. The other sites joined before the demo's story.
    /// </summary>
    private async Task StartWorkflowsAsync(IReadOnlyDictionary<string, Site> sites, Solicitation request, CancellationToken cancellationToken)
    {
        var manager = await actors.FindAsync("pm@midrc.example", cancellationToken) ?? throw new InvalidOperationException("The demo program manager is missing.");
        var coordinators = new Dictionary<string, string> { ["coordinators"] = "1" };
        foreach (var code in new[] { "OSL", "SAO" })
        {
            await runtime.StartAsync(new StartRequest("site-onboarding", sites[code].Id, sites[code].Id, manager) { Data = coordinators }, cancellationToken);
        }

        var onboarding = await db.WorkflowInstances.Where(i => i.SubjectId == sites["SAO"].Id).Select(i => i.Id).SingleAsync(cancellationToken);
        var coordinator = await actors.FindAsync("coordinator@sao.example", cancellationToken) ?? throw new InvalidOperationException("The demo coordinator of SAO is missing.");
        await runtime.FireAsync(new FireRequest(onboarding, "record-signed-agreement", manager, "demo:sao:agreement"), cancellationToken);
        await runtime.FireAsync(new FireRequest(onboarding, "confirm-coordinators", coordinator, "demo:sao:coordinators"), cancellationToken);

        await runtime.StartAsync(new StartRequest("data-solicitation", request.Id, request.SiteId, manager)
        {
            Data = new Dictionary<string, string>
            {
                ["due-date"] = request.DueAt.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                ["exams-requested"] = request.RequestedExams.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["exams-accepted"] = "0",
            },
        }, cancellationToken);
    }

    /// <summary>
    /// Writes a site's exams and sends them through the real intake (quarantine store, worker processes, index, checks),
    /// then plays the rest of the submission workflow: an exam set whose checks pass is accepted and its instances
    /// verified; otherwise its findings stay open.
    /// </summary>
    private async Task<Submission> SubmitAsync(Site site, Solicitation request, string scratch, int patients, int ctSlices, int? declaredFiles, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var writer = new SyntheticDicomWriter(new SyntheticDicomOptions { SiteCode = site.Code, ChestModality = patients % 2 == 0 ? "DX" : "CR" });
        var folder = Path.Combine(scratch, site.Code);
        var files = new List<string>();
        for (var p = 1; p <= patients; p++)
        {
            files.AddRange(writer.WriteChestRadiograph(Path.Combine(folder, $"p{p}-cxr"), p).Files);
        }
        if (ctSlices > 0)
        {
            files.AddRange(writer.WriteCtSeries(Path.Combine(folder, "p1-ct"), ctSlices, 1).Files);
        }

        var coordinator = $"coordinator@{site.Code.ToLowerInvariant()}.example";
        var submission = await intake.OpenAsync(site, new NewSubmission(SubmissionChannel.Demo, coordinator, request.Id, declaredFiles, StartedAt: at), cancellationToken);
        var received = new List<ReceivedObject>();
        foreach (var file in files)
        {
            await using var content = File.OpenRead(file);
            received.Add(await intake.StoreAsync(submission, content, Path.GetRelativePath(folder, file), cancellationToken));
        }
        await intake.AnalyzeAsync(submission, received, SubmissionIntake.KeepAll, cancellationToken);
        await intake.CompleteAsync(submission, coordinator, cancellationToken);
        await indexer.IndexAsync(submission.Id, cancellationToken);

        var findings = await db.Findings.Where(f => f.SubmissionId == submission.Id).ToListAsync(cancellationToken);
        var instances = await db.Instances.Where(i => i.SubmissionId == submission.Id).ToListAsync(cancellationToken);
        var profile = ProfileLoader.LoadDefault();
        var blocked = findings.Any(f => f.Severity == Severity.Error);
        submission.Status = blocked ? SubmissionStatus.AwaitingFixes : SubmissionStatus.Accepted;
        submission.CompletedAt = at.AddMinutes(3);
        foreach (var instance in instances)
        {
            instance.QuarantineState = blocked ? QuarantineState.Quarantined : QuarantineState.Verified;
            db.DeidentificationReports.Add(new DeidentificationReport
            {
                InstanceId = instance.Id,
                Outcome = findings.Any(f => f.InstanceId == instance.Id && f.Rule.StartsWith("deid.", StringComparison.Ordinal) && f.Severity == Severity.Error)
                    ? DeidentificationOutcome.Failed
                    : DeidentificationOutcome.Passed,
                Profile = profile.Label,
                ErrorCount = findings.Count(f => f.InstanceId == instance.Id && f.Severity == Severity.Error),
                WarningCount = findings.Count(f => f.InstanceId == instance.Id && f.Severity == Severity.Warning),
                CheckedAt = at.AddMinutes(2),
            });
        }
        await db.SaveChangesAsync(cancellationToken);
        return submission;
    }

    /// <summary>
    /// Release 1, built the real way: the program manager freezes the open release, the release jobs collect, stage and
    /// verify it (run here, as Hangfire would), the program manager approves, and publication opens release 2.
    /// </summary>
    private async Task PublishAsync(CollectionProgram program, CancellationToken cancellationToken)
    {
        var release = await calendar.EnsureCurrentAsync(program.Id, cancellationToken);
        var instance = await calendar.InstanceOfAsync(release.Id, cancellationToken);
        var manager = await actors.FindAsync("pm@midrc.example", cancellationToken) ?? throw new InvalidOperationException("The demo program manager is missing.");
        foreach (var trigger in new[] { "freeze", "approve" })
        {
            await runtime.FireAsync(new FireRequest(instance, trigger, manager, $"demo:{trigger}"), cancellationToken);
            while (await db.WorkflowJobIntents.Where(i => i.InstanceId == instance && i.Status == WorkflowJobStatus.Pending).Select(i => (Guid?)i.Id).FirstOrDefaultAsync(cancellationToken) is { } intent)
            {
                await jobs.RunAsync(intent, cancellationToken);
            }
        }
    }
}
