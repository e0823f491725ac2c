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

    /// <summary>A trailing stop's distance from the best price since it was placed, in the symbol's currency (or see <see cref="TrailPercent"/>).</summary>
    public decimal? TrailPrice { get; init; }

    /// <summary>A trailing stop's distance from the best price since it was placed, in percent of that price (0 to 100, exclusive).</summary>
    public decimal? TrailPercent { get; init; }

    public TimeInForce TimeInForce { get; init; } = TimeInForce.Day;

    /// <summary>Why the strategy wants this order, for the journal (e.g. "golden cross: fast 101.2 > slow 100.9").</summary>
    public required string Reason { get; init; }
}
