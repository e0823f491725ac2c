namespace OrleansTrader.Domain.Statistics;

/// <summary>
/// A closed trade from entry to exit. <see cref="RealizedPnl"/> comes from the position's P&amp;L (the single P&amp;L
/// implementation); statistics never recompute it. <see cref="Quantity"/> is positive; <see cref="IsLong"/> gives
/// the direction.
/// </summary>
public sealed record RoundTripTrade
{
    public required string Symbol { get; init; }

    public required bool IsLong { get; init; }

    public required decimal Quantity { get; init; }

    /// <summary>When the position opened; null for a position an account held before it kept trades (never in a backtest).</summary>
    public required DateTimeOffset? EntryTime { get; init; }

    public required decimal EntryPrice { get; init; }

    public required DateTimeOffset ExitTime { get; init; }

    public required decimal ExitPrice { get; init; }

    /// <summary>Realized P&amp;L before fees.</summary>
    public required decimal RealizedPnl { get; init; }

    public decimal Fees { get; init; }

    public decimal NetPnl => RealizedPnl - Fees;
}
