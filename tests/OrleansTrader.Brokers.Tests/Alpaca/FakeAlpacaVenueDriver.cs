using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class FakeAlpacaVenueDriver(FakeAlpacaServer server) : IVenueDriver
{
    public Task WaitForReportSubscriberAsync(CancellationToken cancellationToken) => server.WaitForListenersAsync(1, cancellationToken);

    public Task SetQuoteAsync(string symbol, decimal bid, decimal ask, CancellationToken cancellationToken)
    {
        server.SetQuote(symbol, bid, ask);
        return Task.CompletedTask;
    }

    public Task FillAsync(string orderId, decimal quantity, decimal price, CancellationToken cancellationToken) => server.FillAsync(orderId, quantity, price);

    public Task RejectNextAsync(string reason, CancellationToken cancellationToken)
    {
        server.RejectNext(reason);
        return Task.CompletedTask;
    }
}
