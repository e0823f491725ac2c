using Microsoft.Extensions.Hosting;

namespace OrleansTrader.Runtime;

/// <summary>Starts the silo with the host; on host stop, deactivates every activation (OnDeactivateAsync) before returning.</summary>
internal sealed class SiloHostedService(GrainRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runtime.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
}
