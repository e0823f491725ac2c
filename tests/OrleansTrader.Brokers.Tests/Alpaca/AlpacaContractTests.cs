using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>The shared contract suite run against the Alpaca adapter on the in-process fake Alpaca.</summary>
public sealed class AlpacaContractTests : BrokerClientContractTests
{
    protected override async Task<BrokerVenue> CreateVenueAsync(CancellationToken cancellationToken)
    {
        var server = await FakeAlpacaServer.StartAsync();
        var host = AlpacaTestHost.Create(server);
        return new BrokerVenue(host.Client, new FakeAlpacaVenueDriver(server, host.Health), new Owners(host, server));
    }

    private sealed class Owners(AlpacaTestHost host, FakeAlpacaServer server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await host.DisposeAsync();
            await server.DisposeAsync();
        }
    }
}
