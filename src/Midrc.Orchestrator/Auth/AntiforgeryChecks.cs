using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Antiforgery for the programs' interfaces (<c>/api</c> and <c>/dicomweb</c>), for every endpoint at once: a browser
/// sends its sign-in cookie with any request, even one another site's page makes it send, so a state-changing request
/// that the cookie authenticates must also carry a page's antiforgery token in the header <c>RequestVerificationToken</c>,
/// which another site cannot read. A request the cookie does not authenticate (a site's machine with its API token in
/// the Authorization header) needs none. Pages check their own forms: Razor Pages validate every post.
/// </summary>
public static class AntiforgeryChecks
{
    private static readonly PathString[] ProgramInterfaces = ["/api", "/dicomweb"];

    /// <summary>
    /// Refuses, with a 400 problem and before any endpoint runs, a state-changing request to the programs' interfaces
    /// that the sign-in cookie authenticated and that carries no valid antiforgery token in its header. Runs after
    /// authentication, so that it knows which scheme authenticated the request.
    /// </summary>
    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (IsStateChanging(http.Request) && IsProgramInterface(http.Request.Path) && IsCookieAuthenticated(http) && !await HasValidHeaderTokenAsync(http))
            {
                await Results.Problem(
                    "Antiforgery token missing or invalid: reload the page and try again. A page sends its token in the header RequestVerificationToken; a program uses its site's API token, not the sign-in cookie.",
                    statusCode: StatusCodes.Status400BadRequest, title: "Antiforgery token missing or invalid").ExecuteAsync(http);
                return;
            }
            await next(http);
        });

    private static bool IsStateChanging(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method));

    private static bool IsProgramInterface(PathString path) => ProgramInterfaces.Any(path.StartsWithSegments);

    private static bool IsCookieAuthenticated(HttpContext http) =>
        http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { Succeeded: true, Ticket.AuthenticationScheme: CookieAuthenticationDefaults.AuthenticationScheme };

    /// <summary>
    /// The header only: an API request is JSON or a file upload, and reading a multipart body as a form to look for the
    /// field would buffer an upload before anyone knows it may be sent.
    /// </summary>
    private static async Task<bool> HasValidHeaderTokenAsync(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName is { } header
        && http.Request.Headers.ContainsKey(header)
        && await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
}
