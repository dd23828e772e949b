using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Audit;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Auth;

/// <summary>A token just created: the secret is in <see cref="Token"/> and is never available again.</summary>
public sealed record IssuedToken(Guid Id, string SiteCode, string Name, string Prefix, string Token);

/// <summary>Creates, checks and revokes sites' API tokens. Only hashes are stored.</summary>
public sealed class ApiTokens(MidrcDbContext db, AuditTrail audit, TimeProvider clock)
{
    private const int PrefixLength = 16;

    /// <summary>
    /// "Last used" is shown to the minute; writing it on every request would add a database commit to each of the
    /// thousands of uploads a submission makes.
    /// </summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Issues a new token for the site with this code.</summary>
    /// <exception cref="KeyNotFoundException">No site has that code.</exception>
    public async Task<IssuedToken> CreateAsync(string siteCode, string name, string createdBy, CancellationToken cancellationToken)
    {
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Code == siteCode, cancellationToken)
            ?? throw new KeyNotFoundException($"There is no site with code '{siteCode}'. List the sites with: midrc sites list");
        // midrc_<site>_<256 random bits>: the site code makes a leaked token easy to attribute and revoke.
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        var token = $"midrc_{site.Code.ToLowerInvariant()}_{secret}";
        var entity = new ApiToken
        {
            SiteId = site.Id,
            Name = name,
            Prefix = token[..Math.Min(token.Length, PrefixLength)],
            Hash = HashOf(token),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = createdBy,
        };
        db.ApiTokens.Add(entity);
        audit.Record(createdBy, "token.created", "ApiToken", entity.Id.ToString(), site.Id, new { entity.Name, entity.Prefix });
        await db.SaveChangesAsync(cancellationToken);
        return new IssuedToken(entity.Id, site.Code, name, entity.Prefix, token);
    }

    /// <summary>A site's tokens, newest first, revoked ones included (never their secrets).</summary>
    public Task<List<ApiToken>> ListAsync(Guid siteId, CancellationToken cancellationToken) =>
        db.ApiTokens.AsNoTracking().Where(t => t.SiteId == siteId).OrderByDescending(t => t.CreatedAt).ToListAsync(cancellationToken);

    /// <summary>The site a presented token belongs to, or null when the token is unknown or revoked.</summary>
    public async Task<Site?> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(presented) || presented.Length > 200)
        {
            return null;
        }
        var hash = HashOf(presented.Trim());
        var token = await db.ApiTokens.Include(t => t.Site)
            .SingleOrDefaultAsync(t => t.Hash == hash && t.RevokedAt == null, cancellationToken);
        if (token is null)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        if (token.LastUsedAt is not { } used || now - used >= LastUsedResolution)
        {
            token.LastUsedAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return token.Site;
    }

    /// <summary>Revokes a token; later uses are refused.</summary>
    public async Task<bool> RevokeAsync(Guid tokenId, string revokedBy, CancellationToken cancellationToken)
    {
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == tokenId, cancellationToken);
        if (token is null || token.RevokedAt is not null)
        {
            return false;
        }
        token.RevokedAt = clock.GetUtcNow();
        audit.Record(revokedBy, "token.revoked", "ApiToken", token.Id.ToString(), token.SiteId, new { token.Prefix });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private static string HashOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
