namespace OrleansTrader.Domain.Portfolio;

/// <summary>An account marked to market at one instant. All amounts unrounded; round with <see cref="Money.RoundForReport"/> when shown.</summary>
public sealed record Valuation
{
    public required decimal Cash { get; init; }

    public required decimal LongMarketValue { get; init; }

    /// <summary>Market value of shorts, as a negative number.</summary>
    public required decimal ShortMarketValue { get; init; }

    public decimal Equity => Cash + LongMarketValue + ShortMarketValue;

    public decimal GrossExposure => LongMarketValue - ShortMarketValue;

    public required decimal UnrealizedPnl { get; init; }

    public required decimal Reserved { get; init; }

    /// <summary>Buying power net of reservations; never negative.</summary>
    public required decimal BuyingPower { get; init; }

    /// <summary>Reg-T initial margin on open positions (50% of gross exposure); zero for cash accounts.</summary>
    public required decimal InitialMarginRequirement { get; init; }

    /// <summary>Equity minus the start-of-day equity; null when no start of day was recorded.</summary>
    public required decimal? DayPnl { get; init; }

    public required decimal HighWaterMark { get; init; }

    /// <summary>Drawdown from the high-water mark as a percentage (0 when at or above it).</summary>
    public decimal DrawdownPercent => HighWaterMark <= 0m || Equity >= HighWaterMark ? 0m : (HighWaterMark - Equity) / HighWaterMark * 100m;
}
