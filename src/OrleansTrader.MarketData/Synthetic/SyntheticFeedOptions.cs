using OrleansTrader.Domain.Calendar;

namespace OrleansTrader.MarketData.Synthetic;

public sealed class SyntheticFeedOptions
{
    public const string SectionName = "MarketData:Synthetic";

    /// <summary>Trading seconds in a year (252 days of 6.5 hours), which turns annual drift and volatility into per-step values.</summary>
    public const double TradingSecondsPerYear = 252 * 6.5 * 3600;

    public ulong Seed { get; set; } = 1;

    public IList<SyntheticSymbolOptions> Symbols { get; } = [];

    /// <summary>Data time between steps; every step emits one quote and one trade per symbol.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Data time of the first step; null uses the clock at start.</summary>
    public DateTimeOffset? StartTime { get; set; }

    /// <summary>Release step n at n <see cref="TickInterval"/>s after the start on the TimeProvider; false runs as fast as possible.</summary>
    public bool Paced { get; set; } = true;

    /// <summary>
    /// When set, a paced feed publishes only while this calendar is open, extended hours included, as a real US equity
    /// feed does: it is silent overnight, on weekends and holidays, so marks do not move while the market is closed.
    /// Null publishes around the clock.
    /// </summary>
    public ITradingCalendar? Calendar { get; set; }

    /// <summary>Stop after this many steps; null runs until cancelled.</summary>
    public long? MaxSteps { get; set; }

    public decimal MinSpreadBps { get; set; } = 1m;

    public decimal MaxSpreadBps { get; set; } = 5m;

    /// <summary>Share of trades that are odd lots (1-99 shares); the rest are round lots of 100-1000.</summary>
    public double OddLotProbability { get; set; } = 0.1;
}
