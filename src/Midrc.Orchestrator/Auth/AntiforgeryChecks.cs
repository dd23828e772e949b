using Microsoft.AspNetCore.Antiforgery;

namespace Midrc.Orchestrator.Auth;

/// <summary>
/// Antiforgery for the JSON endpoints that pages call with the sign-in cookie: a browser sends its cookie with any
/// request, even one another site makes it send, so a state-changing request must also carry the page's antiforgery
/// token (header <c>RequestVerificationToken</c>, or the form field), which another site cannot read.
/// </summary>
public static class AntiforgeryChecks
{
    /// <summary>Null when the request carries a valid antiforgery token, else the refusal, telling the person <paramref name="whatToDo"/>.</summary>
    public static async Task<IResult?> RefusalWithoutTokenAsync(HttpContext http, string whatToDo) =>
        await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http)
            ? null
            : Results.Problem($"This request has no valid antiforgery token: {whatToDo}", statusCode: StatusCodes.Status400BadRequest, title: "Form expired");

    /// <summary>Refuses requests to the endpoint that carry no valid antiforgery token.</summary>
    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder, string whatToDo)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) => await RefusalWithoutTokenAsync(context.HttpContext, whatToDo) ?? await next(context));
}
