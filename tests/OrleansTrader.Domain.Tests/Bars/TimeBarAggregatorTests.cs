using OrleansTrader.Domain.Bars;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Bars;

public sealed class TimeBarAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Add_EmitsBar_WhenATradeArrivesInALaterInterval()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);

        aggregator.Add(Trade(T0.AddSeconds(1), 100m, 10m));
        aggregator.Add(Trade(T0.AddSeconds(20), 102m, 5m));
        aggregator.Add(Trade(T0.AddSeconds(40), 99m, 7m));
        aggregator.Add(Trade(T0.AddSeconds(59), 101m, 3m));
        var step = aggregator.Add(Trade(T0.AddSeconds(61), 105m, 1m));

        Assert.Equal(TradeDisposition.Accepted, step.Disposition);
        var bar = Assert.Single(step.Completed);
        Assert.Equal(new Bar("SPY", T0, Minute, 100m, 102m, 99m, 101m, 25m, 4), bar);
        Assert.Equal(new Bar("SPY", T0 + Minute, Minute, 105m, 105m, 105m, 105m, 1m, 1), aggregator.Pending);
        Assert.Equal(5, aggregator.Counts.Accepted);
    }

    [Fact]
    public void Flush_EmitsOpenBar_OnlyOnceItsIntervalHasEnded()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);
        aggregator.Add(Trade(T0.AddSeconds(5), 100m, 10m));

        Assert.Null(aggregator.Flush(T0.AddSeconds(59)));
        var bar = aggregator.Flush(T0 + Minute);

        Assert.NotNull(bar);
        Assert.Equal(T0, bar.Start);
        Assert.Null(aggregator.Pending);
        Assert.Null(aggregator.Flush(T0.AddMinutes(5)));
    }

    [Fact]
    public void Add_AlignsBarsToIntervalBoundariesInUtc()
    {
        var aggregator = new TimeBarAggregator("SPY", TimeSpan.FromMinutes(5));

        aggregator.Add(Trade(new DateTimeOffset(2024, 3, 1, 10, 37, 30, TimeSpan.FromHours(-5)), 100m, 1m));

        var start = aggregator.Pending!.Start;
        Assert.Equal(new DateTimeOffset(2024, 3, 1, 15, 35, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.Zero, start.Offset);
    }

    [Fact]
    public void Add_PlacesSlightlyOutOfOrderTradesByTimestamp_WithinTheOpenBar()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);

        aggregator.Add(Trade(T0.AddSeconds(30), 100m, 1m));
        aggregator.Add(Trade(T0.AddSeconds(10), 98m, 1m));   // earlier print arriving late: becomes the open
        aggregator.Add(Trade(T0.AddSeconds(50), 103m, 1m));
        aggregator.Add(Trade(T0.AddSeconds(45), 101m, 1m));  // earlier than the close: folded, close unchanged

        var bar = aggregator.Pending!;
        Assert.Equal(98m, bar.Open);
        Assert.Equal(103m, bar.High);
        Assert.Equal(98m, bar.Low);
        Assert.Equal(103m, bar.Close);
        Assert.Equal(4m, bar.Volume);
        Assert.Equal(4, aggregator.Counts.Accepted);
    }

    [Fact]
    public void Add_CountsLateTrade_AndNeverChangesTheEmittedBar()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);
        aggregator.Add(Trade(T0.AddSeconds(5), 100m, 1m));
        var emitted = aggregator.Add(Trade(T0.AddSeconds(65), 101m, 1m)).Completed.Single();

        var late = aggregator.Add(Trade(T0.AddSeconds(59), 150m, 1_000m));

        Assert.Equal(TradeDisposition.Late, late.Disposition);
        Assert.Empty(late.Completed);
        Assert.Equal(1, aggregator.Counts.Late);
        Assert.Equal(2, aggregator.Counts.Accepted);
        Assert.Equal(100m, emitted.Close);
        Assert.Equal(101m, aggregator.Pending!.High);
    }

    [Fact]
    public void Add_CountsTradeLate_WhenItsIntervalIsBeforeTheOpenBar_EvenIfNeverEmitted()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);
        aggregator.Add(Trade(T0.AddMinutes(5), 100m, 1m));

        var step = aggregator.Add(Trade(T0.AddMinutes(3), 100m, 1m));

        Assert.Equal(TradeDisposition.Late, step.Disposition);
        Assert.Equal(1, aggregator.Counts.Late);
    }

    [Fact]
    public void Add_TradeAfterFlush_ForTheFlushedInterval_IsLate()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute);
        aggregator.Add(Trade(T0.AddSeconds(5), 100m, 1m));
        aggregator.Flush(T0 + Minute);

        var step = aggregator.Add(Trade(T0.AddSeconds(58), 100m, 1m));

        Assert.Equal(TradeDisposition.Late, step.Disposition);
        Assert.Null(aggregator.Pending);
    }

    [Fact]
    public void Add_TradeStampedAtTheFlushedBarsEnd_OpensTheNextBar_NotLate()
    {
        // Bars cover [start, start + interval): a print at the flushed bar's end is the next bar's first, not a late one.
        var aggregator = new TimeBarAggregator("SPY", Minute);
        aggregator.Add(Trade(T0.AddSeconds(5), 100m, 1m));
        aggregator.Flush(T0 + Minute);

        var step = aggregator.Add(Trade(T0 + Minute, 101m, 2m));

        Assert.Equal(TradeDisposition.Accepted, step.Disposition);
        Assert.Equal(new Bar("SPY", T0 + Minute, Minute, 101m, 101m, 101m, 101m, 2m, 1), aggregator.Pending);
        Assert.Equal(0, aggregator.Counts.Late);
    }

    [Fact]
    public void Add_ExcludesSuspiciousPrints_AndCountsEachReason()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute, new TradeFilterOptions { MaxDeviationPercent = 5m });
        aggregator.Add(Trade(T0.AddSeconds(1), 100m, 10m));

        var flagged = aggregator.Add(Trade(T0.AddSeconds(2), 100m, 10m) with { Suspicious = true });
        var zeroPrice = aggregator.Add(Trade(T0.AddSeconds(3), 0m, 10m));
        var negativeSize = aggregator.Add(Trade(T0.AddSeconds(4), 100m, -1m));
        var zeroSize = aggregator.Add(Trade(T0.AddSeconds(5), 100m, 0m));
        var deviating = aggregator.Add(Trade(T0.AddSeconds(6), 105.01m, 10m));
        var atLimit = aggregator.Add(Trade(T0.AddSeconds(7), 105m, 10m));
        var otherSymbol = aggregator.Add(Trade(T0.AddSeconds(8), 100m, 10m) with { Symbol = "QQQ" });

        Assert.Equal(TradeDisposition.SourceFlagged, flagged.Disposition);
        Assert.Equal(TradeDisposition.NonPositivePrice, zeroPrice.Disposition);
        Assert.Equal(TradeDisposition.NonPositiveSize, negativeSize.Disposition);
        Assert.Equal(TradeDisposition.NonPositiveSize, zeroSize.Disposition);
        Assert.Equal(TradeDisposition.PriceDeviation, deviating.Disposition);
        Assert.Equal(TradeDisposition.Accepted, atLimit.Disposition);
        Assert.Equal(TradeDisposition.SymbolMismatch, otherSymbol.Disposition);
        Assert.Equal(
            new AggregationCounts { Accepted = 2, SourceFlagged = 1, NonPositivePrice = 1, NonPositiveSize = 2, PriceDeviation = 1, SymbolMismatch = 1 },
            aggregator.Counts);
        Assert.Equal(5, aggregator.Counts.Suspicious);
        Assert.Equal(8, aggregator.Counts.Total);
        Assert.Equal(new Bar("SPY", T0, Minute, 100m, 105m, 100m, 105m, 20m, 2), aggregator.Pending);
    }

    [Fact]
    public void Add_FollowsARealMovePastTheDeviationBand_OnceConsecutivePrintsConfirmIt()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute, new TradeFilterOptions { MaxDeviationPercent = 5m });
        aggregator.Add(Trade(T0.AddSeconds(1), 100m, 10m));

        // A lone outlier between normal prints stays excluded.
        var outlier = aggregator.Add(Trade(T0.AddSeconds(2), 120m, 1m));
        aggregator.Add(Trade(T0.AddSeconds(3), 100m, 1m));

        // The market gaps 10 % (a halt reopening): the third print at the new level is accepted, and so are the rest.
        var gap = Enumerable.Range(0, 5).Select(i => aggregator.Add(Trade(T0 + Minute + TimeSpan.FromSeconds(i), 110m + (i * 0.01m), 1m)).Disposition).ToArray();
        var later = aggregator.Add(Trade(T0 + (2 * Minute), 110.2m, 1m));

        Assert.Equal(TradeDisposition.PriceDeviation, outlier.Disposition);
        Assert.Equal(
            [TradeDisposition.PriceDeviation, TradeDisposition.PriceDeviation, TradeDisposition.Accepted, TradeDisposition.Accepted, TradeDisposition.Accepted],
            gap);
        Assert.Equal(TradeDisposition.Accepted, later.Disposition);
        Assert.Equal(new Bar("SPY", T0 + Minute, Minute, 110.02m, 110.04m, 110.02m, 110.04m, 3m, 3), Assert.Single(later.Completed));
    }

    [Fact]
    public void Constructor_Throws_ForFewerThanTwoDeviationConfirmations()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeBarAggregator("SPY", Minute, new TradeFilterOptions { MaxDeviationPercent = 5m, DeviationConfirmations = 1 }));

        Assert.Equal("DeviationConfirmations", error.ParamName);
    }

    [Fact]
    public void Add_AcceptsSourceFlaggedPrints_WhenConfiguredTo()
    {
        var aggregator = new TimeBarAggregator("SPY", Minute, new TradeFilterOptions { ExcludeSourceFlagged = false });

        var step = aggregator.Add(Trade(T0, 100m, 1m) with { Suspicious = true });

        Assert.Equal(TradeDisposition.Accepted, step.Disposition);
    }

    [Fact]
    public void Constructor_Throws_ForNonPositiveInterval()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeBarAggregator("SPY", TimeSpan.Zero));

        Assert.Equal("interval", error.ParamName);
    }

    [Fact]
    public void Constructor_Throws_ForNonPositiveDeviation()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TimeBarAggregator("SPY", Minute, new TradeFilterOptions { MaxDeviationPercent = 0m }));

        Assert.Equal("MaxDeviationPercent", error.ParamName);
    }

    private static TradeTick Trade(DateTimeOffset timestamp, decimal price, decimal size) => new("SPY", timestamp, price, size);
}
