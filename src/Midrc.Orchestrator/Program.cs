using Midrc.Curation.Dicom;
using Midrc.Curation.Reports;
using Midrc.Curation.Workers;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Dashboard;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.DicomWeb;
using Midrc.Orchestrator.Health;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Jobs;
using Midrc.Orchestrator.Notifications;
using Midrc.Orchestrator.Releases;
using Midrc.Orchestrator.Sites;
using Midrc.Orchestrator.Storage;
using Midrc.Orchestrator.Submissions;
using Midrc.Orchestrator.Workflows;
using Serilog;

// Untrusted DICOM is parsed in child processes of this executable (GDCM may abort on malformed files).
if (CurationWorker.TryRun(args, FileVerifier.CreateChecks))
{
    return 0;
}

// The settings files are read once (MidrcConfiguration.UseMidrcSources replaces the default ones). Left on, the
// default sources' reload would keep a watch on the working directory and every folder under it: the data folder
// with each quarantine and release folder, one inotify watch and one event per file stored, until the system's
// limit on watches is reached.
// (First, so that no switch given without its value takes it for one.)
var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);

// A problem that stops start-up (a wrong setting, an unreachable database, a port in use) is told to
// the operator in one plain sentence, and the process exits with code 2.
try
{
    // The DICOM toolkit must be loadable before anything accepts files.
    GdcmRuntime.EnsureAvailable();
    // Settings from appsettings/ (validated at start-up) and the clock, shared with the CLI.
    builder.AddMidrcSettings();
    // Structured logging; migrations and the demo seed run before anything else starts.
    builder.AddServerBasics();
    // One database, three engines: SQLite embedded, PostgreSQL and SQL Server shared by several nodes.
    builder.AddData();
    // Received bytes live in a content-addressed quarantine store until verified.
    builder.AddStorage();
    // Hangfire runs the long work; the database stays the source of truth.
    builder.AddJobs();
    // Declarative workflows, durable in the database: an invalid definition stops start-up; timers and jobs run exactly once.
    builder.AddWorkflows();
    // Sign-in by emailed one-time link, then a cookie; roles and per-site scope as claims.
    builder.AddAuth();
    // Server-rendered pages: the program managers' dashboard, site pages, the coordinators' home.
    builder.AddDashboard();
    // Email: an outbox written with each change, sent by a job (or to a pickup folder), daily digests.
    builder.AddNotifications();
    // Sites' data in: one intake for every channel, parsing in worker processes, indexing in a job.
    builder.AddSubmissions();
    // Publication: release batches on a schedule, built once across all processes, immutable once published.
    builder.AddReleases();
    builder.AddHealth();
    builder.Services.AddOpenApi();

    var app = builder.Build();
    app.UseTrustedProxies();
    app.UseSerilogRequestLogging();
    app.UseDashboard();
    app.UseAuth();

    app.MapHealth();
    app.MapOpenApi();
    app.MapJobsDashboard();
    app.MapSites();
    app.MapNotifications();
    // Upload API (command line, browser, clinical CSVs) and DICOMweb STOW-RS, both authenticated by a site's token.
    app.MapSubmissions();
    app.MapDicomWeb();
    app.MapWorkflows();
    app.MapReleases();
    app.MapAuth();
    app.MapDashboard();

    await app.RunAsync();
    return 0;
}
catch (Exception e) when (HostingExtensions.Explain(e) is { } message)
{
    await Console.Error.WriteLineAsync($"Midrc.Orchestrator did not start: {message}");
    return 2;
}

/// <summary>The host's entry point; public so the tests' WebApplicationFactory can start it.</summary>
public partial class Program;
