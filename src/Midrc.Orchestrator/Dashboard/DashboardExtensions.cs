using Midrc.Orchestrator.Auth;

namespace Midrc.Orchestrator.Dashboard;

/// <summary>
/// The web pages: the program managers' dashboard and site pages, the coordinators' home. Every page needs
/// a signed-in person except the sign-in pages and the error page.
/// </summary>
public static class DashboardExtensions
{
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", MidrcPolicies.SignedIn);
            o.Conventions.AllowAnonymousToFolder("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Error");
        });
        builder.Services.AddScoped<ProgramProgress>();
        builder.Services.AddScoped<SitePage>();
        builder.Services.AddScoped<SiteWorkflows>();
        builder.Services.AddScoped<Audit.AuditLog>();
        // The domain behind the forms: inviting sites and sending them data requests.
        builder.Services.AddScoped<Sites.SiteInvitations>();
        builder.Services.AddScoped<Solicitations.DataRequests>();
        return builder;
    }

    /// <summary>
    /// A readable page for 403 and 404 outside the API, then stylesheets and scripts, then routing: the error page
    /// is re-executed before routing so that routing finds it.
    /// </summary>
    public static IApplicationBuilder UseDashboard(this IApplicationBuilder app)
    {
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), branch => branch.UseStatusCodePagesWithReExecute("/error/{0}"));
        return app.UseStaticFiles().UseRouting();
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        return app;
    }
}
