using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Strategies;

/// <summary>What a strategy asks the context to emit; the context adds the identity (client order id, time).</summary>
public sealed record OrderIntentRequest
{
    public required string Symbol { get; init; }

    public required OrderSide Side { get; init; }

    public required decimal Quantity { get; init; }

    public OrderType Type { get; init; } = OrderType.Market;

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public TimeInForce TimeInForce { get; init; } = TimeInForce.Day;

    /// <summary>Why the strategy wants this order, for the journal (e.g. "golden cross: fast 101.2 > slow 100.9").</summary>
    public required string Reason { get; init; }
}
