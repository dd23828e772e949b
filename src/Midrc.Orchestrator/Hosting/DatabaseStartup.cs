using Microsoft.Extensions.Options;
using Midrc.Orchestrator.Data;
using Midrc.Orchestrator.Demo;

namespace Midrc.Orchestrator.Hosting;

/// <summary>
/// Prepares the database before anything else starts (it is registered first): migrations, then the
/// demo program on an empty database when <c>Midrc:SeedDemo</c> is on.
/// </summary>
internal sealed class DatabaseStartup(IServiceProvider services, IOptions<MidrcOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await services.MigrateDatabaseAsync(cancellationToken);
        if (options.Value.SeedDemo)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DemoProgram>().SeedIfEmptyAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
