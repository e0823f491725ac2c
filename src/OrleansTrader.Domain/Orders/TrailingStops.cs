using OrleansTrader.Domain.Instruments;

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

    /// <summary>
    /// The level on the US equity price grid (cents at $1 and above, hundredths of a cent below), rounded against the
    /// order: a sell stop down, a buy stop up. A backtest fills a stop reached within a bar at its level, and a venue's
    /// level is on a tick; a percent trail is not (170.43 less 0.5% is 169.57785).
    /// </summary>
    public static decimal OnTick(OrderSide side, decimal level)
    {
        var tick = level < 1m ? Instrument.DefaultSubDollarTickSize : Instrument.DefaultTickSize;
        var ticks = level / tick;
        return (side == OrderSide.Sell ? Math.Floor(ticks) : Math.Ceiling(ticks)) * tick;
    }
}
