namespace OrleansTrader.Domain.Orders;

/// <summary>Where a trailing stop stands: the paper exchange and the backtester place it the same way.</summary>
public static class TrailingStops
{
    /// <summary>
    /// The stop level a trail sets off the water mark: below it for a sell (the mark is the highest price since the
    /// order was placed), above it for a buy (the lowest). Not rounded; null without a trail.
    /// </summary>
    public static decimal? Level(OrderSide side, decimal mark, decimal? trailPrice, decimal? trailPercent) =>
        trailPrice is { } offset ? (side == OrderSide.Sell ? mark - offset : mark + offset)
        : trailPercent is { } percent ? (side == OrderSide.Sell ? mark * (1m - (percent / 100m)) : mark * (1m + (percent / 100m)))
        : null;
}
