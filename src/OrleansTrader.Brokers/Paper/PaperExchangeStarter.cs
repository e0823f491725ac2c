using Microsoft.Extensions.Hosting;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Restores the paper venue from its store when the host starts.</summary>
internal sealed class PaperExchangeStarter(PaperExchange exchange) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => exchange.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
