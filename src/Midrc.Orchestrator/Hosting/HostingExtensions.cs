using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Serilog;

namespace Midrc.Orchestrator.Hosting;

public static class HostingExtensions
{
    /// <summary>Settings and the clock: what every other part relies on, in the host and in the CLI.</summary>
    public static IHostApplicationBuilder AddMidrcSettings(this IHostApplicationBuilder builder, string[] args)
    {
        builder.Configuration.UseMidrcSources(builder.Environment.EnvironmentName, args);
        builder.Services.AddValidatedOptions<MidrcOptions>(MidrcOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataFolder), "Setting Midrc:DataFolder is empty; give a folder for the database and received files, e.g. \"data\".")
            .Validate(o => Uri.TryCreate(o.PublicUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https",
                "Setting Midrc:PublicUrl must be an absolute http(s) address, e.g. https://midrc.example.org; links in emails start with it.");
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The server's own basics: structured logging and database start-up (migrations, demo seed) before anything else.</summary>
    public static IHostApplicationBuilder AddServerBasics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));
        builder.Services.AddHostedService<DatabaseStartup>();
        return builder;
    }

    /// <summary>
    /// Runs the host; a problem that stops it from starting is printed as one plain message (no stack
    /// trace) and the process exits with code 2.
    /// </summary>
    public static async Task<int> RunWithPlainErrorsAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Explain(e) is { } message)
        {
            await Console.Error.WriteLineAsync($"Midrc.Orchestrator did not start: {message}");
            return 2;
        }
    }

    /// <summary>The plain explanation of a start-up failure, or null when it is not one we can explain.</summary>
    public static string? Explain(Exception e) => e switch
    {
        StartupException p => p.Message,
        OptionsValidationException o => string.Join(" ", o.Failures),
        IOException { InnerException: AddressInUseException } io =>
            $"{io.Message} Another program is using that port: stop it, or start on another address with --urls http://127.0.0.1:5081.",
        AggregateException a when a.InnerExceptions.Count == 1 => Explain(a.InnerExceptions[0]),
        _ => null,
    };
}
