namespace OrleansTrader.Brokers.Tests.Contract;

/// <summary>
/// What the contract suite needs from the venue behind an <see cref="IBrokerClient"/>: the market and the
/// matching engine, driven by the test. The paper exchange implements it directly; the Alpaca fake through its
/// control surface.
/// </summary>
public interface IVenueDriver
{
    /// <summary>Completes once the client's execution-report stream is subscribed, so no report can be missed.</summary>
    Task WaitForReportSubscriberAsync(CancellationToken cancellationToken);

    /// <summary>Sets the venue's quote. A venue that fills only through <see cref="FillAsync"/> may just record it.</summary>
    Task SetQuoteAsync(string symbol, decimal bid, decimal ask, CancellationToken cancellationToken);

    /// <summary>A trade prints at <paramref name="price"/> (trailing stops follow it); no order of the test's is filled by it.</summary>
    Task TradeAsync(string symbol, decimal price, CancellationToken cancellationToken);

    /// <summary>Executes <paramref name="quantity"/> of a working order at <paramref name="price"/>.</summary>
    Task FillAsync(string orderId, decimal quantity, decimal price, CancellationToken cancellationToken);

    /// <summary>The venue refuses the next submitted order with <paramref name="reason"/>.</summary>
    Task RejectNextAsync(string reason, CancellationToken cancellationToken);
}
