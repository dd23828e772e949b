using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// The configuration shared by the host and the <c>midrc</c> CLI: <c>appsettings/appsettings.json</c>,
/// then <c>appsettings/appsettings.{Environment}.json</c>, then environment variables (<c>Midrc__Database__Provider</c>),
/// then the command line; later sources win.
/// </summary>
public static class MidrcConfiguration
{
    /// <summary>The folder the settings files are copied to at build time.</summary>
    public static string SettingsFolder => Path.Combine(AppContext.BaseDirectory, "appsettings");

    /// <summary>
    /// Puts the settings files of <c>appsettings/</c> first (lowest priority) in place of a content root's
    /// <c>appsettings*.json</c>; the other sources (environment variables, command line, test settings)
    /// keep their order and win over the files.
    /// </summary>
    public static void UseMidrcSources(this IConfigurationManager configuration, string environmentName)
    {
        var sources = configuration.Sources;
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } path } && path.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                sources.RemoveAt(i);
            }
        }
        sources.Insert(0, JsonFile("appsettings.json", optional: false));
        sources.Insert(1, JsonFile($"appsettings.{environmentName}.json", optional: true));
    }

    private static JsonConfigurationSource JsonFile(string name, bool optional)
    {
        var source = new JsonConfigurationSource { Path = Path.Combine(SettingsFolder, name), Optional = optional, ReloadOnChange = false };
        source.ResolveFileProvider();
        return source;
    }

    /// <summary>Binds an options class to its section and checks it when the host starts.</summary>
    public static OptionsBuilder<T> AddValidatedOptions<T>(this IServiceCollection services, string section)
        where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();

    /// <summary>The shared options, read straight from configuration for code that runs before the container exists.</summary>
    public static MidrcOptions GetMidrcOptions(this IConfiguration configuration) =>
        configuration.GetSection(MidrcOptions.Section).Get<MidrcOptions>() ?? new MidrcOptions();
}
