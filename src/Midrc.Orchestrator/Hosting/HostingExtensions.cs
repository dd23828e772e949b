using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
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
                "Setting Midrc:PublicUrl must be an absolute http(s) address, e.g. https://midrc.example.org; links in emails start with it.")
            .Validate(o => o.TrustedProxies.All(p => System.Net.IPNetwork.TryParse(p, out _) || IPAddress.TryParse(p, out _)),
                "Setting Midrc:TrustedProxies must list IP addresses (10.0.0.5) or networks (10.0.0.0/24) of the load balancers in front of this node.");
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<MidrcOptions>>((forwarded, midrc) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in midrc.Value.TrustedProxies)
            {
                if (System.Net.IPNetwork.TryParse(proxy, out var network))
                {
                    forwarded.KnownIPNetworks.Add(network);
                }
                else
                {
                    // A dual-stack listener sees an IPv4 proxy as its IPv6-mapped form.
                    var address = IPAddress.Parse(proxy);
                    forwarded.KnownProxies.Add(address);
                    forwarded.KnownProxies.Add(address.MapToIPv6());
                }
            }
        });
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Believes <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the trusted proxies only (none by default), before
    /// anything reads the client's address: the rate limits, sign-in and the audit trail.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var midrc = app.ApplicationServices.GetRequiredService<IOptions<MidrcOptions>>().Value;
        if (midrc.TrustedProxies.Length > 0)
        {
            return app.UseForwardedHeaders();
        }
        if (midrc.IsPublicHttps)
        {
            // Cookies are marked Secure when the request is HTTPS; behind a TLS-terminating proxy only its X-Forwarded-Proto says so.
            app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HostingExtensions)).LogWarning(
                "Midrc:PublicUrl is HTTPS but Midrc:TrustedProxies is empty: if a load balancer ends TLS in front of this node, list it there, or sign-in cookies will not be marked Secure and rate limits will count every client as the load balancer.");
        }
        return app;
    }

    /// <summary>The server's own basics: structured logging and database start-up (migrations, demo seed) before anything else.</summary>
    public static IHostApplicationBuilder AddServerBasics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));
        builder.Services.AddScoped<DemoProgram>();
        // Uploads are read from the socket 64 KB at a time rather than Kestrel's 4 KB.
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>, ReceiveBlocks>();
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
