using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Auth;

/// <summary>How a person wants their email: each message as it happens, or one digest a day.</summary>
public enum EmailPreference
{
    Immediately,
    DailyDigest,
}

/// <summary>Someone who signs in: a program manager, a site coordinator or an administrator.</summary>
public sealed class Person : IVersioned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Email { get; set; }
    public required string DisplayName { get; set; }
    public string TimeZone { get; set; } = "UTC";
    public EmailPreference EmailPreference { get; set; }
    public bool IsActive { get; set; } = true;
    public DateTimeOffset CreatedAt { get; init; }
    public List<RoleAssignment> Roles { get; init; } = [];
    public long Version { get; set; }
}

/// <summary>The roles of the program (the workflow definitions name the same ones).</summary>
public enum Role
{
    Admin,
    ProgramManager,
    SiteCoordinator,
}

/// <summary>A role held by a person; a site coordinator's role is scoped to one site.</summary>
public sealed class RoleAssignment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PersonId { get; set; }
    public Person? Person { get; set; }
    public Role Role { get; set; }

    /// <summary>The site, for site coordinators; null for program-wide roles.</summary>
    public Guid? SiteId { get; set; }
    public Site? Site { get; set; }
}

/// <summary>
/// A site's API token for <c>midrc submit</c> and STOW-RS. Only a SHA-256 hash of the secret is stored;
/// the secret is shown once, when created.
/// </summary>
public sealed class ApiToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid SiteId { get; set; }
    public Site? Site { get; set; }
    public required string Name { get; set; }

    /// <summary>The first characters of the token, to recognise it in lists without revealing it.</summary>
    public required string Prefix { get; set; }

    /// <summary>Hex SHA-256 of the whole token.</summary>
    public required string Hash { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
