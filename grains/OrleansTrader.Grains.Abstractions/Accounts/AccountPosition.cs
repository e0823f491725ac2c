namespace OrleansTrader.Grains.Abstractions;

/// <summary>A position with its valuation at the last trade or quote mid (null when the symbol has no price yet).</summary>
public sealed record AccountPosition
{
    public required string Symbol { get; init; }

    public required decimal Quantity { get; init; }

    public required decimal AverageEntryPrice { get; init; }

    public decimal? MarketPrice { get; init; }

    public decimal? MarketValue { get; init; }

    public decimal? UnrealizedPnl { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal FeesPaid { get; init; }
}
