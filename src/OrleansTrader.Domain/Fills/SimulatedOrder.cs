using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// The working state of an order on the simulated exchange: what it asks for plus what the exchange remembers
/// between evaluations (whether the stop has triggered, the trailing water mark).
/// </summary>
public sealed record SimulatedOrder
{
    public required OrderSide Side { get; init; }

    public required OrderType Type { get; init; }

    public TimeInForce TimeInForce { get; init; } = TimeInForce.Day;

    public required decimal LeavesQuantity { get; init; }

    public decimal? LimitPrice { get; init; }

    public decimal? StopPrice { get; init; }

    public decimal? TrailPrice { get; init; }

    public decimal? TrailPercent { get; init; }

    /// <summary>When a DAY order expires (the session close).</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public bool Triggered { get; init; }

    /// <summary>Highest trade seen (trailing sell) or lowest (trailing buy) since the order became active.</summary>
    public decimal? WaterMark { get; init; }

    public static SimulatedOrder From(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var request = order.Request;
        return new SimulatedOrder
        {
            Side = request.Side,
            Type = request.Type,
            TimeInForce = request.TimeInForce,
            LeavesQuantity = order.LeavesQuantity,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
            ExpiresAt = order.ExpiresAt,
        };
    }

    /// <summary>
    /// Whether this equals <see cref="From"/> of <paramref name="order"/> (no trigger, no water mark yet), without
    /// building that copy: stores ask it for every order they write.
    /// </summary>
    public bool IsFreshFrom(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var request = order.Request;
        return Side == request.Side
            && Type == request.Type
            && TimeInForce == request.TimeInForce
            && LeavesQuantity == order.LeavesQuantity
            && LimitPrice == request.LimitPrice
            && StopPrice == request.StopPrice
            && TrailPrice == request.TrailPrice
            && TrailPercent == request.TrailPercent
            && ExpiresAt == order.ExpiresAt
            && !Triggered
            && WaterMark is null;
    }

    /// <summary>
    /// The trailing stop level implied by the water mark, on the price grid as the backtester places it (a percent trail
    /// is not on a tick), or null before the first trade.
    /// </summary>
    public decimal? TrailingStopPrice =>
        WaterMark is { } mark && TrailingStops.Level(Side, mark, TrailPrice, TrailPercent) is { } level ? TrailingStops.OnTick(Side, level) : null;
}
