using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Sites;

namespace Midrc.Orchestrator.Submissions;

/// <summary>The site a request acts for, and how the audit trail names it (<c>token:PREFIX</c>).</summary>
public sealed record SiteCaller(Site Site, string Actor);

/// <summary>
/// Sites' machines authenticate with their API token: <c>Authorization: Bearer midrc_...</c>, or HTTP Basic with the
/// token as the password, which is what DICOMweb gateways (Orthanc's DICOMweb client among them) can send. The
/// browser upload page uses the same endpoints with the coordinator's sign-in cookie instead: the site named in the
/// <see cref="SiteHeader"/> header must be one the person coordinates, and a state-changing request must carry the
/// page's antiforgery token (header <c>RequestVerificationToken</c>, checked for every API endpoint by
/// <see cref="AntiforgeryChecks.UseApiAntiforgery"/>), since a browser sends cookies with any request.
/// </summary>
public static class SiteAuthentication
{
    /// <summary>The header naming the site a signed-in coordinator uploads for.</summary>
    public const string SiteHeader = "X-Midrc-Site";

    private const string Challenge = "Bearer realm=\"midrc\", Basic realm=\"midrc\"";
    private const int ActorPrefixLength = 16;

    /// <summary>
    /// Lets a request through only with a valid, unrevoked token (else 401 with a message saying what to do), and turns
    /// an <see cref="IntakeException"/> into RFC 7807 problem details.
    /// </summary>
    public static TBuilder RequireSiteToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var presented = PresentedToken(http.Request);
            if (presented is null && http.User.Identity?.IsAuthenticated == true)
            {
                if (await SignedInCoordinatorAsync(http) is { } refusal)
                {
                    return refusal;
                }
            }
            else if (presented is null)
            {
                return Unauthorized(http,
                    "This endpoint needs your site's API token. Send it as the header 'Authorization: Bearer midrc_...' (or as the password of HTTP Basic authentication). A program manager creates one with: midrc tokens create --site CODE");
            }
            else if (await AuthenticateTokenAsync(http, presented) is { } refusal)
            {
                return refusal;
            }
            try
            {
                return await next(context);
            }
            catch (IntakeException e)
            {
                return e.ToProblem();
            }
        });

    /// <summary>
    /// Checks a presented token under the <see cref="ApiTokenThrottle"/>: null when the request may go on (its caller set),
    /// else the refusal.
    /// </summary>
    private static async Task<IResult?> AuthenticateTokenAsync(HttpContext http, string presented)
    {
        var throttle = http.RequestServices.GetRequiredService<ApiTokenThrottle>();
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "in-process";
        if (throttle.IsShutOut(address, out var shutOutFor))
        {
            return TooManyRequests(http, shutOutFor,
                $"Too many requests with unrecognised or revoked API tokens came from this address; token requests from it are refused for {Minutes(shutOutFor)}. Check the token your tool or gateway sends (a program manager sees the site's tokens on its Tokens page) and try again then.");
        }
        if (await http.RequestServices.GetRequiredService<ApiTokens>().AuthenticateAsync(presented, http.RequestAborted) is not { } site)
        {
            throttle.RecordFailure(address);
            return Unauthorized(http,
                "The API token was not recognised or has been revoked. Check that it was copied whole; otherwise ask your program manager for a new one (midrc tokens create --site CODE).");
        }
        var actor = $"token:{presented[..Math.Min(presented.Length, ActorPrefixLength)]}";
        if (!throttle.TryAcquire(actor, out var retryAfter))
        {
            return TooManyRequests(http, retryAfter,
                "This API token is sending requests faster than the server accepts from one token; nothing was lost. Send fewer at once (midrc submit --parallel) or retry after the time in the Retry-After header.");
        }
        http.Items[typeof(SiteCaller)] = new SiteCaller(site, actor);
        return null;
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes <= 1 ? "a minute" : $"{Math.Ceiling(span.TotalMinutes):0} minutes";

    /// <summary>
    /// Lets a signed-in coordinator act for the site of <see cref="SiteHeader"/> when they coordinate it (the antiforgery
    /// token a cookie needs is checked before, by <see cref="AntiforgeryChecks.UseApiAntiforgery"/>); null when it may go
    /// on, else the refusal.
    /// </summary>
    private static async Task<IResult?> SignedInCoordinatorAsync(HttpContext http)
    {
        var code = http.Request.Headers[SiteHeader].ToString();
        var coordinated = http.User.CoordinatedSiteIds();
        var site = code.Length == 0 ? null : await http.RequestServices.GetRequiredService<MidrcDbContext>().Sites
            .SingleOrDefaultAsync(s => s.Code == code && coordinated.Contains(s.Id), http.RequestAborted);
        if (site is null)
        {
            return Results.Problem($"Uploading from the browser needs the header {SiteHeader} naming a site you coordinate; send from your site's upload page.",
                statusCode: StatusCodes.Status403Forbidden, title: "Not your site");
        }
        http.Items[typeof(SiteCaller)] = new SiteCaller(site, http.User.Identity!.Name!);
        return null;
    }

    /// <summary>The authenticated caller (only inside endpoints that <see cref="RequireSiteToken"/>).</summary>
    public static SiteCaller Caller(this HttpContext http) =>
        http.Items[typeof(SiteCaller)] as SiteCaller ?? throw new InvalidOperationException("The endpoint does not require a site token.");

    private static IResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
    }

    private static IResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = Challenge;
        return Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Not authenticated");
    }

    private static string? PresentedToken(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) || string.IsNullOrWhiteSpace(header.Parameter))
        {
            return null;
        }
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return header.Parameter.Trim();
        }
        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            // The token is the password; a client that can only fill in a user name may put it there.
            return colon < 0 ? pair : pair[(colon + 1)..] is { Length: > 0 } password ? password : pair[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
