using Midrc.Orchestrator.Data;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// Prepares the database before anything else starts (it is registered first): migrations, then the
/// demo program on an empty embedded database.
/// </summary>
internal sealed class DatabaseStartup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => services.MigrateDatabaseAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
