using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Orchestrator.Sites;

/// <summary>What a program manager fills in to invite a site.</summary>
public sealed class SiteInvitation
{
    [Display(Name = "Site code")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Code { get; set; } = "";

    [Display(Name = "Site name")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Name { get; set; } = "";

    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Institution { get; set; } = "";

    [Display(Name = "Country (two letters)")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string Country { get; set; } = "";

    [Display(Name = "Time zone")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string TimeZone { get; set; } = "";

    [Display(Name = "Target exams")]
    public int TargetExams { get; set; } = 1000;

    [Display(Name = "Coordinator's name")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string CoordinatorName { get; set; } = "";

    [Display(Name = "Coordinator's email")]
    [DisplayFormat(ConvertEmptyStringToNull = false)]
    public string CoordinatorEmail { get; set; } = "";
}

/// <summary>
/// Invites a site: the site, its first coordinator (a new person, or a new role for someone already known) and the
/// <c>site-onboarding</c> workflow, whose first step emails the invitation through the outbox.
/// </summary>
public sealed partial class SiteInvitations(MidrcDbContext db, WorkflowRuntime runtime, AuditTrail audit, TimeProvider clock)
{
    public const string OnboardingWorkflow = "site-onboarding";
    private const int MaxTargetExams = 1_000_000;
    private const int MaxNameLength = 200;

    /// <summary>Every problem with the invitation, by field, in words for the program manager; empty when it can be sent.</summary>
    public async Task<Dictionary<string, string>> ProblemsAsync(SiteInvitation invitation, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string>();
        var code = invitation.Code.Trim().ToUpperInvariant();
        if (!SiteCode().IsMatch(code))
        {
            problems[nameof(invitation.Code)] = string.IsNullOrWhiteSpace(invitation.Code)
                ? "Give the site a code."
                : $"'{invitation.Code.Trim()}' has other characters: use 2 to 10 letters or digits only.";
        }
        else if (await db.Sites.AsNoTracking().Where(s => s.Code == code).Select(s => s.Name).FirstOrDefaultAsync(cancellationToken) is { } taken)
        {
            problems[nameof(invitation.Code)] = $"The code {code} is already used by {taken}; choose another.";
        }
        Required(problems, nameof(invitation.Name), invitation.Name, "Give the site's name as people know it, e.g. Riverside University Hospital.");
        Required(problems, nameof(invitation.Institution), invitation.Institution, "Give the institution the site belongs to.");
        Required(problems, nameof(invitation.CoordinatorName), invitation.CoordinatorName, "Give the name of the person who will coordinate the site's submissions.");
        if (!IsCountry(invitation.Country.Trim()))
        {
            problems[nameof(invitation.Country)] = "Give the country as its two-letter ISO code, e.g. US, DE or BR.";
        }
        if (!IsTimeZone(invitation.TimeZone.Trim()))
        {
            problems[nameof(invitation.TimeZone)] = string.IsNullOrWhiteSpace(invitation.TimeZone)
                ? "Give the site's time zone as an IANA name, e.g. America/Chicago or Europe/Berlin."
                : $"'{invitation.TimeZone}' is not a time zone this server knows; use an IANA name such as America/Chicago or Europe/Berlin.";
        }
        if (invitation.TargetExams is < 1 or > MaxTargetExams)
        {
            problems[nameof(invitation.TargetExams)] = $"Give the number of exams the site agreed to contribute, between 1 and {MaxTargetExams:N0}.";
        }
        if (!IsEmail(invitation.CoordinatorEmail.Trim()))
        {
            problems[nameof(invitation.CoordinatorEmail)] = string.IsNullOrWhiteSpace(invitation.CoordinatorEmail)
                ? "Give the coordinator's email address: the invitation goes there."
                : $"'{invitation.CoordinatorEmail}' is not one email address, e.g. maria.alvarez@hospital.org.";
        }
        return problems;
    }

    /// <summary>Creates the site and its coordinator and starts onboarding; call <see cref="ProblemsAsync"/> first.</summary>
    /// <exception cref="ArgumentException">The invitation has problems.</exception>
    public async Task<Site> InviteAsync(SiteInvitation invitation, Actor actor, CancellationToken cancellationToken)
    {
        if ((await ProblemsAsync(invitation, cancellationToken)).Values.FirstOrDefault() is { } problem)
        {
            throw new ArgumentException(problem, nameof(invitation));
        }
        var now = clock.GetUtcNow();
        var program = await db.Programs.OrderBy(p => p.CreatedAt).FirstOrDefaultAsync(cancellationToken)
            ?? throw new InvalidOperationException("There is no collection program to invite a site to; seed or create one first.");
        var site = new Site
        {
            ProgramId = program.Id,
            Code = invitation.Code.Trim().ToUpperInvariant(),
            Name = invitation.Name.Trim(),
            Institution = invitation.Institution.Trim(),
            Country = invitation.Country.Trim().ToUpperInvariant(),
            TimeZone = invitation.TimeZone.Trim(),
            TargetExams = invitation.TargetExams,
            Stage = SiteStage.Invited,
            StageChangedAt = now,
            CreatedAt = now,
        };
        db.Sites.Add(site);
        var coordinator = await CoordinatorAsync(invitation, site, now, cancellationToken);
        coordinator.Roles.Add(new RoleAssignment { PersonId = coordinator.Id, Role = Role.SiteCoordinator, SiteId = site.Id });
        audit.Record(actor.Name, "site.invited", nameof(Site), site.Id.ToString(), site.Id,
            new { site.Code, site.Name, coordinator = coordinator.Email, site.TargetExams });
        await db.SaveChangesAsync(cancellationToken);

        // Its own transaction: the invitation email is written with the workflow's first step.
        await runtime.StartAsync(new StartRequest(OnboardingWorkflow, site.Id, site.Id, actor)
        {
            Data = new Dictionary<string, string> { ["coordinators"] = "1" },
        }, cancellationToken);
        return site;
    }

    private async Task<Person> CoordinatorAsync(SiteInvitation invitation, Site site, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var email = invitation.CoordinatorEmail.Trim();
        var known = await db.People.Include(p => p.Roles).SingleOrDefaultAsync(p => p.Email == email, cancellationToken);
        if (known is not null)
        {
            return known;
        }
        var person = new Person { Email = email, DisplayName = invitation.CoordinatorName.Trim(), TimeZone = site.TimeZone, CreatedAt = now };
        db.People.Add(person);
        return person;
    }

    private static void Required(Dictionary<string, string> problems, string field, string value, string message)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Length > MaxNameLength)
        {
            problems[field] = value.Trim().Length > MaxNameLength ? $"Keep this under {MaxNameLength} characters." : message;
        }
    }

    /// <summary>True for a time zone this machine knows by its IANA name (the name deadlines and emails use).</summary>
    public static bool IsTimeZone(string id) =>
        id.Length > 0 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && (zone.HasIanaId || id == "UTC");

    private static bool IsCountry(string code)
    {
        if (!CountryCode().IsMatch(code))
        {
            return false;
        }
        try
        {
            return new RegionInfo(code).TwoLetterISORegionName.Equals(code, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsEmail(string address)
    {
        try
        {
            EmailMessages.Recipient(address);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex SiteCode();

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryCode();
}
