using OrleansTrader.Domain.Bars;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Bars;

public sealed class VolumeBarAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Add_SplitsTradesAcrossBars()
    {
        var aggregator = new VolumeBarAggregator("SPY", 100m);

        var first = aggregator.Add(Trade(T0, 10m, 60m));
        var second = aggregator.Add(Trade(T0.AddSeconds(1), 11m, 70m));
        var third = aggregator.Add(Trade(T0.AddSeconds(3), 12m, 250m));

        Assert.Empty(first.Completed);
        Assert.Equal([new Bar("SPY", T0, TimeSpan.FromSeconds(1), 10m, 11m, 10m, 11m, 100m, 2)], second.Completed);
        Assert.Equal(
            [
                new Bar("SPY", T0.AddSeconds(1), TimeSpan.FromSeconds(2), 11m, 12m, 11m, 12m, 100m, 2),
                new Bar("SPY", T0.AddSeconds(3), TimeSpan.Zero, 12m, 12m, 12m, 12m, 100m, 1),
            ],
            third.Completed);
        Assert.Equal(new Bar("SPY", T0.AddSeconds(3), TimeSpan.Zero, 12m, 12m, 12m, 12m, 80m, 1), aggregator.Pending);
        Assert.Equal(3, aggregator.Counts.Accepted);
    }

    [Fact]
    public void Add_CountsTradeBeforeEmittedBar_AsLate()
    {
        var aggregator = new VolumeBarAggregator("SPY", 10m);
        aggregator.Add(Trade(T0.AddSeconds(10), 10m, 10m));

        var late = aggregator.Add(Trade(T0.AddSeconds(9), 10m, 5m));
        var sameInstant = aggregator.Add(Trade(T0.AddSeconds(10), 10m, 5m));

        Assert.Equal(TradeDisposition.Late, late.Disposition);
        Assert.Equal(TradeDisposition.Accepted, sameInstant.Disposition);
        Assert.Equal(5m, aggregator.Pending!.Volume);
    }

    [Fact]
    public void Add_ExcludesSuspiciousPrints()
    {
        var aggregator = new VolumeBarAggregator("SPY", 10m, new TradeFilterOptions { MaxDeviationPercent = 1m });
        aggregator.Add(Trade(T0, 100m, 1m));

        aggregator.Add(Trade(T0, 100m, 1m) with { Suspicious = true });
        aggregator.Add(Trade(T0, -1m, 1m));
        aggregator.Add(Trade(T0, 100m, 0m));
        aggregator.Add(Trade(T0, 98.9m, 1m));

        Assert.Equal(new AggregationCounts { Accepted = 1, SourceFlagged = 1, NonPositivePrice = 1, NonPositiveSize = 1, PriceDeviation = 1 }, aggregator.Counts);
        Assert.Equal(1m, aggregator.Pending!.Volume);
    }

    [Fact]
    public void Add_FollowsARealMovePastTheDeviationBand_OnceConsecutivePrintsConfirmIt()
    {
        var aggregator = new VolumeBarAggregator("SPY", 10m, new TradeFilterOptions { MaxDeviationPercent = 1m, DeviationConfirmations = 2 });
        aggregator.Add(Trade(T0, 100m, 1m));

        var first = aggregator.Add(Trade(T0.AddSeconds(1), 103m, 1m));
        var second = aggregator.Add(Trade(T0.AddSeconds(2), 103.1m, 1m));
        var third = aggregator.Add(Trade(T0.AddSeconds(3), 103.2m, 1m));

        Assert.Equal(TradeDisposition.PriceDeviation, first.Disposition);
        Assert.Equal(TradeDisposition.Accepted, second.Disposition);
        Assert.Equal(TradeDisposition.Accepted, third.Disposition);
        Assert.Equal(3m, aggregator.Pending!.Volume);
    }

    [Fact]
    public void Constructor_Throws_ForNonPositiveVolume()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new VolumeBarAggregator("SPY", 0m));

        Assert.Equal("volumePerBar", error.ParamName);
    }

    private static TradeTick Trade(DateTimeOffset timestamp, decimal price, decimal size) => new("SPY", timestamp, price, size);
}
