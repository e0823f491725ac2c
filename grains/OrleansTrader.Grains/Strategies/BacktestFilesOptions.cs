namespace OrleansTrader.Grains.Strategies;

/// <summary>Section "Backtests": the folder of market-data files a backtest can read with <c>"source": "files"</c>.</summary>
public sealed class BacktestFilesOptions
{
    public const string SectionName = "Backtests";

    /// <summary>
    /// A folder in the layout of docs/market-data.md (<c>minute/SYM/DATE.trades.csv</c>, <c>daily/SYM.csv</c>, gzip or
    /// not). Unset: the replay feed's folder when the feed is a replay, otherwise none (file backtests are refused).
    /// </summary>
    public string? DataPath { get; set; }
}
