using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Midrc.Orchestrator.Auth;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Hosting;
using Midrc.Orchestrator.Jobs;
using Midrc.Orchestrator.Workflows;

namespace Midrc.Cli.Operations;

/// <summary>
/// The orchestrator's own services, built from the same appsettings/ and environment variables as the
/// server, so an operator command acts on the database the server uses (by default <c>data/midrc.db</c>
/// under the working directory, which is where <c>./run.sh</c> puts it). Settings are overridden with
/// environment variables such as <c>Midrc__Database__Provider</c>.
/// </summary>
internal static class OperatorHost
{
    /// <summary>Runs an operator action; a configuration or database problem is one line on stderr and exit code 2.</summary>
    public static async Task<int> RunAsync(TextWriter error, Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            // Operator commands never run jobs: what they enqueue goes to the shared job storage (or, on the embedded
            // default, is recorded in the database and enqueued by the orchestrator's reconciler).
            var builder = WorkflowsExtensions.CreateRuntimeBuilder(Environments.Production);
            builder.Configuration.AddInMemoryCollection([new("Midrc:Jobs:RunServer", "false")]);
            builder.AddAuth();
            builder.AddJobs();
            using var host = builder.Build();
            await host.Services.MigrateDatabaseAsync(cancellationToken);
            await using var scope = host.Services.CreateAsyncScope();
            return await action(scope.ServiceProvider, cancellationToken);
        }
        catch (Exception e) when (HostingExtensions.Explain(e) is { } message)
        {
            await error.WriteLineAsync($"midrc: {message}");
            return 2;
        }
    }
}
