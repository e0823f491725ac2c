using OrleansTrader.Domain.Bars;

namespace OrleansTrader.Domain.Tests.Bars;

/// <summary>
/// BAC ticks 2013-10-09 and 2013-10-10 from the shared data: the stock opened the 10th more than 0.5 % away from the
/// 9th's last print. A deviation filter whose excluded prints never move the reference stopped there for good (no bar
/// at all on the 10th, every print counted as a deviation); it has to follow the market to its new level.
/// </summary>
public sealed class BacRealDataTests
{
    [Fact]
    public void DeviationFilter_FollowsAnOvernightGap_InsteadOfExcludingEveryLaterPrint()
    {
        var root = MarketDataFolder.Find();
        if (root is null || !File.Exists(Path.Combine(root, "ticks", "BAC", "2013-10-10.trades.csv.gz")))
        {
            Assert.Skip("Shared market data not found (set ORLEANSTRADER_MARKET_DATA or place shared/data/market beside the repository); skipping the BAC real-data check.");
        }

        var aggregator = new TimeBarAggregator("BAC", TimeSpan.FromMinutes(1), new TradeFilterOptions { MaxDeviationPercent = 0.5m });
        foreach (var trade in MarketCsv.ReadTrades(Path.Combine(root, "ticks", "BAC", "2013-10-09.trades.csv.gz"), "BAC"))
        {
            aggregator.Add(trade);
        }

        var before = aggregator.Counts;
        var trades = MarketCsv.ReadTrades(Path.Combine(root, "ticks", "BAC", "2013-10-10.trades.csv.gz"), "BAC").ToList();
        var bars = trades.Sum(t => aggregator.Add(t).Completed.Count);
        var deviations = aggregator.Counts.PriceDeviation - before.PriceDeviation;

        // The 10th has prints in well over 500 minutes, and only a handful of outliers among its ~124,600 prints.
        Assert.True(bars >= 500, $"{bars} bars on 2013-10-10; {aggregator.Counts}");
        Assert.True(deviations < 100, $"{deviations} of {trades.Count} prints excluded as deviating on 2013-10-10");
    }
}
