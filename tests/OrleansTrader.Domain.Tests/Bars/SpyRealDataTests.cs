using OrleansTrader.Domain.Bars;
using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Bars;

/// <summary>
/// SPY on 2013-10-07 from the shared data: 1-minute bars built from every tick (with a 0.5 % deviation filter)
/// against the vendor's own minute bars from the same source. They are not built identically: the vendor orders
/// prints that share a millisecond differently (so the close can be the other of two prints a cent apart) and
/// leaves some off-exchange prints out of its highs and lows (the ticks carry no suspicious flag that day). Measured
/// over the 390 regular-hours minutes: volume equal in 99.2 %, close equal in 89.0 % and within one cent in 99 %,
/// high/low equal in 89.2 %/87.2 % and both within 25 cents in 99.7 %; the filter removes 7 gross outliers (one
/// print a dollar above the market). The thresholds sit under those rates with a margin; a real aggregation bug
/// (wrong alignment, lost or double-counted trades, open/close confusion) drops them far lower.
/// </summary>
public sealed class SpyRealDataTests
{
    private static readonly TimeSpan NewYork = TimeSpan.FromHours(-4);
    private static readonly TimeSpan SessionOpen = new(9, 30, 0);
    private static readonly TimeSpan SessionClose = new(16, 0, 0);

    [Fact]
    public void MinuteBarsFromTicks_AgreeWithTheVendorsMinuteBars()
    {
        var root = RequireData();
        var trades = MarketCsv.ReadTrades(Path.Combine(root, "ticks", "SPY", "2013-10-07.trades.csv.gz"), "SPY").ToList();
        var vendor = MarketCsv.ReadMinuteBars(Path.Combine(root, "minute", "SPY", "2013-10-07.trades.csv"), "SPY")
            .Where(IsRegularHours)
            .ToDictionary(b => b.Start);
        var aggregator = new TimeBarAggregator("SPY", TimeSpan.FromMinutes(1), new TradeFilterOptions { MaxDeviationPercent = 0.5m });
        var built = new List<Bar>();

        var acceptedVolume = 0m;
        foreach (var trade in trades)
        {
            var step = aggregator.Add(trade);
            built.AddRange(step.Completed);
            acceptedVolume += step.Disposition == TradeDisposition.Accepted ? trade.Size : 0m;
        }

        built.AddRange(aggregator.Flush(trades[^1].Timestamp.AddMinutes(1)) is { } last ? [last] : []);
        var regular = built.Where(IsRegularHours).ToDictionary(b => b.Start);

        Assert.Equal(trades.Count, aggregator.Counts.Total);
        Assert.Equal(0, aggregator.Counts.Late);
        Assert.Equal(trades.Count(t => t.Suspicious), aggregator.Counts.SourceFlagged);
        Assert.Equal(390, vendor.Count);
        Assert.Equal(vendor.Keys.Order(), regular.Keys.Order());
        var pairs = vendor.Values.Select(v => (Vendor: v, Ours: regular[v.Start])).ToArray();
        var rate = (Func<(Bar Vendor, Bar Ours), bool> agree) => (double)pairs.Count(agree) / pairs.Length;
        TestContext.Current.SendDiagnosticMessage(
            $"SPY 2013-10-07: {aggregator.Counts}; high/low within 25c {rate(p => Math.Abs(p.Ours.High - p.Vendor.High) <= 0.25m && Math.Abs(p.Ours.Low - p.Vendor.Low) <= 0.25m):P1}, high exact {rate(p => p.Ours.High == p.Vendor.High):P1}, low exact {rate(p => p.Ours.Low == p.Vendor.Low):P1}, volume {rate(p => p.Ours.Volume == p.Vendor.Volume):P1}, close exact {rate(p => p.Ours.Close == p.Vendor.Close):P1}");

        Assert.True(rate(p => p.Ours.Volume == p.Vendor.Volume) >= 0.95);
        Assert.True(rate(p => p.Ours.Close == p.Vendor.Close) >= 0.85);
        Assert.True(rate(p => Math.Abs(p.Ours.Close - p.Vendor.Close) <= 0.01m) >= 0.95);
        Assert.True(rate(p => Math.Abs(p.Ours.Open - p.Vendor.Open) <= 0.01m) >= 0.95);
        Assert.True(rate(p => p.Ours.High == p.Vendor.High) >= 0.85);
        Assert.True(rate(p => p.Ours.Low == p.Vendor.Low) >= 0.85);
        Assert.True(rate(p => Math.Abs(p.Ours.High - p.Vendor.High) <= 0.25m && Math.Abs(p.Ours.Low - p.Vendor.Low) <= 0.25m) >= 0.99);
        Assert.InRange(aggregator.Counts.PriceDeviation, 1, 100);
        Assert.Equal(acceptedVolume, built.Sum(b => b.Volume));
    }

    [Fact]
    public void Indicators_OverTheVendorsMinuteBars_StayWithinTheDaysRange()
    {
        var root = RequireData();
        var bars = MarketCsv.ReadMinuteBars(Path.Combine(root, "minute", "SPY", "2013-10-07.trades.csv"), "SPY").ToList();
        var low = bars.Min(b => b.Low);
        var high = bars.Max(b => b.High);
        var sma = new SimpleMovingAverage(20);
        var ema = new ExponentialMovingAverage(20);
        var rsi = new RelativeStrengthIndex(14);
        var bands = new BollingerBands(20, 2m);
        var atr = new AverageTrueRange(14);
        var macd = new MovingAverageConvergenceDivergence();
        var deviation = new RollingStandardDeviation(30);
        var vwap = VolumeWeightedAveragePrice.WithSessionOffset(NewYork);

        foreach (var bar in bars)
        {
            sma.Update(bar.Close);
            ema.Update(bar.Close);
            rsi.Update(bar.Close);
            bands.Update(bar.Close);
            atr.Update(bar);
            macd.Update(bar.Close);
            deviation.Update(bar.Close);
            vwap.Update(bar);

            if (!(sma.IsReady && ema.IsReady && rsi.IsReady && bands.IsReady && atr.IsReady && macd.IsReady && deviation.IsReady))
            {
                continue;
            }

            Assert.InRange(sma.Value!.Value, low, high);
            Assert.InRange(ema.Value!.Value, low, high);
            Assert.InRange(rsi.Value!.Value, 0m, 100m);
            Assert.InRange(bands.Middle!.Value, low, high);
            Assert.True(bands.Lower <= bands.Middle && bands.Middle <= bands.Upper);
            Assert.InRange(atr.Value!.Value, 0m, high - low);
            Assert.InRange(Math.Abs(macd.Histogram!.Value), 0m, high - low);
            Assert.InRange(deviation.Value!.Value, 0m, high - low);
            Assert.InRange(vwap.Value!.Value, low, high);
        }

        Assert.Equal(bars.Count, sma.Samples);
        Assert.True(macd.IsReady);
        Assert.Equal(new DateOnly(2013, 10, 7), vwap.Session);
    }

    private static bool IsRegularHours(Bar bar)
    {
        var local = bar.Start.ToOffset(NewYork).TimeOfDay;
        return local >= SessionOpen && local < SessionClose;
    }

    private static string RequireData()
    {
        var root = MarketDataFolder.Find();
        if (root is null || !File.Exists(Path.Combine(root, "ticks", "SPY", "2013-10-07.trades.csv.gz")))
        {
            Assert.Skip("Shared market data not found (set ORLEANSTRADER_MARKET_DATA or place shared/data/market beside the repository); skipping the SPY real-data checks.");
        }

        return root;
    }
}
