namespace Midrc.Orchestrator.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ApiTokens>();
        return builder;
    }
}
