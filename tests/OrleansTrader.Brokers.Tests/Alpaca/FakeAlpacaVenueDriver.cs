using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>Drives the fake; the subscriber is ready once the adapter's stream reports healthy (after its catch-up).</summary>
public sealed class FakeAlpacaVenueDriver(FakeAlpacaServer server, RecordingHealthListener health) : IVenueDriver
{
    public async Task WaitForReportSubscriberAsync(CancellationToken cancellationToken)
    {
        await server.WaitForListenersAsync(1, cancellationToken);
        await health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
    }

    public Task SetQuoteAsync(string symbol, decimal bid, decimal ask, CancellationToken cancellationToken)
    {
        server.SetQuote(symbol, bid, ask);
        return Task.CompletedTask;
    }

    public Task TradeAsync(string symbol, decimal price, CancellationToken cancellationToken)
    {
        server.Trade(symbol, price);
        return Task.CompletedTask;
    }

    public Task FillAsync(string orderId, decimal quantity, decimal price, CancellationToken cancellationToken) => server.FillAsync(orderId, quantity, price);

    public Task RejectNextAsync(string reason, CancellationToken cancellationToken)
    {
        server.RejectNext(reason);
        return Task.CompletedTask;
    }
}
