using Microsoft.Extensions.Options;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// The configuration sources shared by the host and the <c>midrc</c> CLI: <c>appsettings/appsettings.json</c>,
/// then <c>appsettings/appsettings.{Environment}.json</c>, then environment variables (<c>Midrc__Database__Provider</c>),
/// then the command line.
/// </summary>
public static class MidrcConfiguration
{
    /// <summary>The folder the settings files are copied to at build time.</summary>
    public static string SettingsFolder => Path.Combine(AppContext.BaseDirectory, "appsettings");

    /// <summary>Replaces the default sources with the orchestrator's.</summary>
    public static void UseMidrcSources(this IConfigurationManager configuration, string environmentName, string[] args)
    {
        configuration.Sources.Clear();
        configuration.AddJsonFile(Path.Combine(SettingsFolder, "appsettings.json"), optional: false, reloadOnChange: false);
        configuration.AddJsonFile(Path.Combine(SettingsFolder, $"appsettings.{environmentName}.json"), optional: true, reloadOnChange: false);
        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine(args);
    }

    /// <summary>Binds an options class to its section and checks it when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();

    /// <summary>The shared options, read straight from configuration for code that runs before the container exists.</summary>
    public static MidrcOptions GetMidrcOptions(this IConfiguration configuration) =>
        configuration.GetSection(MidrcOptions.Section).Get<MidrcOptions>() ?? new MidrcOptions();
}
