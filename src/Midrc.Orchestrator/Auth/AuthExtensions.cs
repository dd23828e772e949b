using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Who is signed in and what they may do: one-time links by email, a cookie afterwards, roles as claims,
/// site scope as one claim per coordinated site, and rate limits on signing in and on API tokens.
/// </summary>
public static class AuthExtensions
{
    public const string CookieName = "midrc.auth";

    /// <summary>The data protection application name: the same on every node, whatever folder it runs from.</summary>
    public const string DataProtectionApplication = "Midrc.Orchestrator";

    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ApiTokens>();
        builder.Services.AddScoped<SignInLinks>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddValidatedOptions<SignInOptions>(SignInOptions.Section)
            .Validate(o => o.PerAddressLimit >= 1, "Setting Midrc:SignIn:PerAddressLimit must be at least 1.");
        builder.Services.AddSingleton<ApiTokenThrottle>();
        builder.Services.AddValidatedOptions<ApiTokenOptions>(ApiTokenOptions.Section)
            .Validate(o => o.FailuresPerAddress >= 1, "Setting Midrc:ApiTokens:FailuresPerAddress must be at least 1.")
            .Validate(o => o.RequestsPerSecond >= 1, "Setting Midrc:ApiTokens:RequestsPerSecond must be at least 1.")
            .Validate(o => o.Burst >= 1, "Setting Midrc:ApiTokens:Burst must be at least 1.");

        // Cookies and antiforgery tokens are protected with keys kept in the shared database, so a cookie one node
        // issued is read by every other node behind the load balancer.
        builder.Services.AddDataProtection()
            .SetApplicationName(DataProtectionApplication)
            .PersistKeysToDbContext<MidrcDbContext>();

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/sign-in";
                o.AccessDeniedPath = "/error/403";
                o.Events.OnRedirectToLogin = context => Refuse(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => Refuse(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = RefreshFromDatabaseAsync;
            });

        // The form tokens' cookie is Secure over HTTPS as the sign-in cookie is (its default is never).
        builder.Services.Configure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(MidrcPolicies.SignedIn, p => p.RequireAuthenticatedUser())
            .AddPolicy(MidrcPolicies.ProgramManager, p => p.RequireRole(nameof(Role.ProgramManager), nameof(Role.Admin)))
            .AddPolicy(MidrcPolicies.SiteCoordinator, p => p.RequireAssertion(c => c.User.IsProgramManager() || c.User.HasClaim(cl => cl.Type == MidrcUser.SiteClaim)));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Only form posts count: reading the sign-in page is free, asking for links is not.
            o.AddPolicy(MidrcPolicies.SignInRateLimit, http => HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "in-process", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value.PerAddressLimit,
                    Window = SignInThrottle.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("read"));
            o.OnRejected = (context, cancellationToken) =>
                new ValueTask(context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address; wait 15 minutes and try again.", cancellationToken));
        });
        return builder;
    }

    /// <summary>Rate limits, then who is signed in, then what they may do, then antiforgery for the API called with the cookie.</summary>
    public static IApplicationBuilder UseAuth(this IApplicationBuilder app) =>
        app.UseRateLimiter().UseAuthentication().UseAuthorization().UseApiAntiforgery();

    /// <summary>Sign-out (a form post with its antiforgery token).</summary>
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        app.MapPost("/sign-out", async Task<IResult> (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.BadRequest("This form has expired; reload the page and sign out again.");
            }
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/sign-in?signedOut=true");
        }).RequireAuthorization(MidrcPolicies.SignedIn).ExcludeFromDescription();
        return app;
    }

    /// <summary>Browsers are sent to the sign-in page; the API and other programs get the status code.</summary>
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var isPage = status == StatusCodes.Status401Unauthorized && !context.Request.Path.StartsWithSegments("/api");
        if (isPage)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }
        return Task.CompletedTask;
    }

    /// <summary>Roles and sites come from the database on every request: a removed role or a deactivated person takes effect at once.</summary>
    private static async Task RefreshFromDatabaseAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.PersonId();
        var db = context.HttpContext.RequestServices.GetRequiredService<MidrcDbContext>();
        var person = id is null ? null : await db.People.AsNoTracking().Include(p => p.Roles)
            .SingleOrDefaultAsync(p => p.Id == id && p.IsActive, context.HttpContext.RequestAborted);
        if (person is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        context.ReplacePrincipal(MidrcUser.PrincipalOf(person));
    }
}
