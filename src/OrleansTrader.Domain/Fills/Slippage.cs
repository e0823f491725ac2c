using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fills;

/// <summary>Adverse slippage, shared by the paper exchange's fill model and the backtester so both move a fill alike.</summary>
public static class Slippage
{
    /// <summary>
    /// <paramref name="price"/> moved against the order by <paramref name="basisPoints"/>: a buy higher, a sell lower; with
    /// a <paramref name="limit"/>, never past it.
    /// </summary>
    public static decimal Against(OrderSide side, decimal price, decimal basisPoints, decimal? limit = null)
    {
        var slip = basisPoints / 10_000m;
        var buy = side == OrderSide.Buy;
        var slipped = buy ? price * (1m + slip) : price * (1m - slip);
        return limit is { } bound ? (buy ? Math.Min(slipped, bound) : Math.Max(slipped, bound)) : slipped;
    }
}
