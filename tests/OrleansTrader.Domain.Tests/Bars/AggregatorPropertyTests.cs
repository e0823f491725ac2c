using FsCheck;
using FsCheck.Fluent;
using OrleansTrader.Domain.Bars;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Bars;

public sealed class AggregatorPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private enum Kind
    {
        Normal,
        Flagged,
        ZeroPrice,
        ZeroSize,
        BackDated,
    }

    private static readonly Gen<(int GapMs, int Cents, int Size, Kind Kind, int BackMs)> Event =
        from gap in Gen.Frequency((3, Gen.Constant(0)), (7, Gen.Choose(1, 40_000)))
        from cents in Gen.Choose(9_000, 11_000)
        from size in Gen.Choose(1, 1_000)
        from kind in Gen.Frequency((12, Gen.Constant(Kind.Normal)), (1, Gen.Constant(Kind.Flagged)), (1, Gen.Constant(Kind.ZeroPrice)), (1, Gen.Constant(Kind.ZeroSize)), (3, Gen.Constant(Kind.BackDated)))
        from back in Gen.Frequency((1, Gen.Constant(0)), (3, Gen.Choose(1, 150_000)))
        select (gap, cents, size, kind, back);

    [Fact]
    public void TimeBars_EqualNaiveGrouping_AndCountsAreExact()
    {
        Prop.ForAll(Gen.ListOf(Event).ToArbitrary(), events =>
        {
            var trades = BuildTrades(events);
            var aggregator = new TimeBarAggregator("SPY", Minute);
            var emitted = new List<Bar>();
            foreach (var trade in trades)
            {
                emitted.AddRange(aggregator.Add(trade).Completed);
            }

            if (aggregator.Pending is { } pending)
            {
                emitted.Add(pending);
            }

            var (expectedBars, expectedCounts) = NaiveTimeBars(trades);
            return emitted.SequenceEqual(expectedBars) && aggregator.Counts == expectedCounts;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void VolumeBars_ConserveVolume_AndEveryCompletedBarIsFull()
    {
        var input = Gen.Choose(1, 500).SelectMany(per => Gen.ListOf(Gen.Choose(1, 2_000)).Select(sizes => (per, sizes))).ToArbitrary();
        Prop.ForAll(input, x =>
        {
            var (per, sizes) = x;
            var aggregator = new VolumeBarAggregator("SPY", per);
            var completed = new List<Bar>();
            var at = T0;
            foreach (var size in sizes)
            {
                at = at.AddMilliseconds(250);
                completed.AddRange(aggregator.Add(new TradeTick("SPY", at, 100m, size)).Completed);
            }

            var total = sizes.Sum(s => (decimal)s);
            var pending = aggregator.Pending?.Volume ?? 0m;
            return completed.Sum(b => b.Volume) + pending == total
                && completed.All(b => b.Volume == per)
                && completed.Count == (int)Math.Floor(total / per)
                && pending < per
                && aggregator.Counts.Accepted == sizes.Count;
        }).QuickCheckThrowOnFailure();
    }

    private static List<TradeTick> BuildTrades(IEnumerable<(int GapMs, int Cents, int Size, Kind Kind, int BackMs)> events)
    {
        var trades = new List<TradeTick>();
        var clock = T0;
        foreach (var (gap, cents, size, kind, back) in events)
        {
            clock = clock.AddMilliseconds(gap);
            var trade = new TradeTick("SPY", clock, cents / 100m, size);
            trades.Add(kind switch
            {
                Kind.Flagged => trade with { Suspicious = true },
                Kind.ZeroPrice => trade with { Price = 0m },
                Kind.ZeroSize => trade with { Size = 0m },
                Kind.BackDated => trade with { Timestamp = clock.AddMilliseconds(-back) },
                _ => trade,
            });
        }

        return trades;
    }

    /// <summary>
    /// The specification, spelled out: a valid trade whose minute is before the latest accepted minute is late;
    /// bars group accepted trades by minute; open is the earliest print (first to arrive among equal times) and
    /// close the latest (last to arrive among equal times).
    /// </summary>
    private static (List<Bar> Bars, AggregationCounts Counts) NaiveTimeBars(List<TradeTick> trades)
    {
        var counts = new AggregationCounts();
        var accepted = new List<(int Index, TradeTick Trade, DateTimeOffset Minute)>();
        DateTimeOffset? latest = null;
        for (var i = 0; i < trades.Count; i++)
        {
            var trade = trades[i];
            var minute = new DateTimeOffset(trade.Timestamp.UtcTicks - (trade.Timestamp.UtcTicks % Minute.Ticks), TimeSpan.Zero);
            if (trade.Suspicious)
            {
                counts = counts with { SourceFlagged = counts.SourceFlagged + 1 };
            }
            else if (trade.Price <= 0m)
            {
                counts = counts with { NonPositivePrice = counts.NonPositivePrice + 1 };
            }
            else if (trade.Size <= 0m)
            {
                counts = counts with { NonPositiveSize = counts.NonPositiveSize + 1 };
            }
            else if (minute < latest)
            {
                counts = counts with { Late = counts.Late + 1 };
            }
            else
            {
                counts = counts with { Accepted = counts.Accepted + 1 };
                accepted.Add((i, trade, minute));
                latest = minute;
            }
        }

        var bars = accepted
            .GroupBy(a => a.Minute)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var first = g.OrderBy(a => a.Trade.Timestamp).ThenBy(a => a.Index).First().Trade;
                var last = g.OrderBy(a => a.Trade.Timestamp).ThenBy(a => a.Index).Last().Trade;
                return new Bar(
                    "SPY",
                    g.Key,
                    Minute,
                    first.Price,
                    g.Max(a => a.Trade.Price),
                    g.Min(a => a.Trade.Price),
                    last.Price,
                    g.Sum(a => a.Trade.Size),
                    g.Count());
            })
            .ToList();
        return (bars, counts);
    }
}
