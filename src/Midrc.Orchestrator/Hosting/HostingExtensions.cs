using Microsoft.AspNetCore.Connections;
using Midrc.Curation.Dicom;
using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Demo;
using Serilog;

namespace Midrc.Orchestrator.Hosting;

public static class HostingExtensions
{
    /// <summary>Settings and the clock: what every other part relies on, in the host and in the CLI.</summary>
    public static IHostApplicationBuilder AddMidrcSettings(this IHostApplicationBuilder builder)
    {
        builder.Configuration.UseMidrcSources(builder.Environment.EnvironmentName);
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
        builder.Services.AddScoped<DemoProgram>();
        builder.Services.AddHostedService<DatabaseStartup>();
        return builder;
    }

    /// <summary>
    /// The plain explanation of a start-up failure, or null when it is not one we can explain. Hosts and
    /// test hosts wrap failures differently, so the whole chain of causes is searched.
    /// </summary>
    public static string? Explain(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case StartupException p:
                    return p.Message;
                case GdcmUnavailableException g:
                    return g.Message;
                case OptionsValidationException o:
                    return string.Join(" ", o.Failures);
                case IOException { InnerException: AddressInUseException } io:
                    return $"{io.Message} Another program is using that port: stop it, or start on another address with --urls http://127.0.0.1:5081.";
                case AggregateException a:
                    return a.InnerExceptions.Select(Explain).FirstOrDefault(m => m is not null);
            }
        }
        return null;
    }
}
