namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The bars a backtest on files can read for one symbol: the first and last days of its one-minute bars and how many days
/// of them, the first and last sessions of its daily bars (null where it has none), and why its daily file could not be read.
/// </summary>
public sealed record BacktestFileSet
{
    public required string Symbol { get; init; }

    public DateOnly? MinuteFrom { get; init; }

    public DateOnly? MinuteTo { get; init; }

    public int MinuteDays { get; init; }

    public DateOnly? DailyFrom { get; init; }

    public DateOnly? DailyTo { get; init; }

    public string? Problem { get; init; }
}
