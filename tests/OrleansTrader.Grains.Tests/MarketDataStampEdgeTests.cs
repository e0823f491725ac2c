using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Market data whose stamps sit on an edge, on a fake clock: a print stamped far ahead of the clock, a quote and a trade
/// sharing a stamp, a late print exactly <c>BarCloseDelay</c> old. What the symbol grain keeps, publishes and gives the
/// paper venue for each.
/// </summary>
public sealed class MarketDataStampEdgeTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A print stamped an hour ahead of the clock (a feed's clock or time zone wrong for one print) went into the bars: it
    /// closed the open minute at once, with the prints it had so far, and opened a bar an hour ahead, which took every
    /// correctly stamped print after it as late, so no bar came out for the hour. It is a tick, left out of the bars and
    /// counted; the minute it came in keeps the prints after it.
    /// </summary>
    [Fact]
    public async Task APrintStampedAnHourAhead_LeavesTheOpenMinuteAndTheLaterPrintsInTheBars_AndIsCounted()
    {
        var time = new FakeTimeProvider(Monday.AddSeconds(10));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var symbol = cluster.Symbol("AHEAD");
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("AHEAD", Monday.AddSeconds(10), 40m, 100m)] })).Accepted);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("AHEAD", Monday.AddHours(1).AddSeconds(10), 40.1m, 100m)] })).Accepted);

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("AHEAD", Monday.AddSeconds(20), 40.2m, 200m)] })).Accepted);
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("AHEAD", Monday.AddSeconds(65), 40.3m, 100m)] })).Accepted);

        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal((Monday, 40m, 40.2m, 300m), (bar.Start, bar.Open, bar.Close, bar.Volume));
        var quote = await symbol.GetQuoteAsync();
        Assert.Equal((Monday.AddSeconds(65), 40.3m), (quote.LastTrade!.Timestamp, quote.LastTrade.Price));
        Assert.Equal(1, (await symbol.GetStatsAsync()).TradesAheadOfClock);
    }

    /// <summary>
    /// An unpaced synthetic feed started on the clock runs ahead of it step by step (hundreds of 1 s steps in a second of
    /// wall time): each print is near the one before it in the bars, so its bars are kept however far ahead it gets.
    /// </summary>
    [Fact]
    public async Task AFeedRunningAheadOfTheClockStepByStep_KeepsItsBars()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var symbol = cluster.Symbol("RUN");
        var trades = Enumerable.Range(0, 180).Select(i => new TradeTick("RUN", Monday.AddSeconds(i), 40m + (i % 3 * 0.01m), 100m)).ToList();
        Assert.Equal(180, (await symbol.IngestAsync(new TickBatch { Trades = trades })).Accepted);

        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([(Monday, 6000m), (Monday.AddMinutes(1), 6000m)], bars.Select(b => (b.Start, b.Volume)));
        Assert.Equal(0, (await symbol.GetStatsAsync()).TradesAheadOfClock);
    }

    /// <summary>
    /// A print stamped an hour ahead does not make a symbol whose feed then goes silent look fresh for the hour: staleness
    /// counts the time since the last tick arrived, not since its stamp.
    /// </summary>
    [Fact]
    public async Task APrintStampedAnHourAhead_DoesNotKeepASilentSymbolFresh()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var symbol = cluster.Symbol("AHEADS");
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("AHEADS", Monday.AddHours(1), 40m, 100m)] })).Accepted);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False((await symbol.GetQuoteAsync()).IsStale, "stale 30 s after its last tick arrived");
        time.Advance(TimeSpan.FromSeconds(1));
        var quote = await symbol.GetQuoteAsync();
        Assert.True(quote.IsStale, "fresh 31 s after its last tick arrived, the tick stamped an hour ahead");
        Assert.Equal(Monday, quote.LastReceivedAt);
    }

    /// <summary>
    /// A quote and a trade with the same stamp, the quote first: the trade is matched against that quote, so a sell stop the
    /// trade triggers sells at the new bid (at the older quote's bid, 0.20 better, if the trade went first), and the ticks
    /// go out in that order.
    /// </summary>
    [Fact]
    public async Task AQuoteAndATradeOfTheSameStamp_GoOutQuoteFirst_AndTheVenueMatchesTheTradeAgainstThatQuote()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var ct = TestContext.Current.CancellationToken;
        var symbol = cluster.Symbol("TIE");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("TIE", Monday, 40.1m, 100m)],
            Quotes = [new QuoteTick("TIE", Monday, 40m, 1000m, 40.2m, 1000m)],
        })).Accepted);
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("tie");
        var stop = await venue.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "tie-1", Symbol = "TIE", Side = OrderSide.Sell, Type = OrderType.Stop, StopPrice = 39.95m, Quantity = 10m, TimeInForce = TimeInForce.Gtc,
        }, ct);

        // The first batch may still be on its way to subscribers: only the second's ticks are taken.
        var at = Monday.AddMilliseconds(500);
        var published = new List<MarketTick>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = await cluster.Cluster.Client.GetStreamProvider(StreamNames.MemoryProvider).GetStream<MarketTick>(StreamId.Create(StreamNames.Ticks, "TIE"))
            .SubscribeAsync((tick, _) =>
            {
                if ((tick.Trade?.Timestamp ?? tick.Quote!.Timestamp) != at)
                {
                    return Task.CompletedTask;
                }

                lock (published)
                {
                    published.Add(tick);
                    if (published.Count == 2)
                    {
                        both.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            });
        try
        {
            var quote = new QuoteTick("TIE", at, 39.8m, 1000m, 39.9m, 1000m);
            var trade = new TradeTick("TIE", at, 39.9m, 100m);
            Assert.Equal(2, (await symbol.IngestAsync(new TickBatch { Trades = [trade], Quotes = [quote] })).Accepted);
            var fill = Assert.Single(await venue.GetExecutionsSinceAsync(DateTimeOffset.MinValue, ct));
            Assert.Equal((stop.OrderId, 39.8m), (fill.OrderId, fill.Price));

            await both.Task.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System, ct);
            lock (published)
            {
                Assert.Equal([new MarketTick(null, quote), new MarketTick(trade, null)], published);
            }
        }
        finally
        {
            await probe.UnsubscribeAsync();
        }
    }

    /// <summary>
    /// A late print exactly <c>BarCloseDelay</c> (1 s) before the last trade is still on its way: the paper venue gets it (it
    /// triggers the sell stop below the market) and its open minute takes it. One a tick older has a price the market has
    /// left: the venue does not get it, while the minute still takes it (its interval is open: bars are the interval's
    /// history, the venue's prints the market now).
    /// </summary>
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public async Task ALatePrintExactlyBarCloseDelayOld_ReachesTheVenue_OneATickOlderDoesNot_BothAreInTheOpenMinute(long ticksOlder, bool reachesTheVenue)
    {
        var now = Monday.AddSeconds(30);
        var time = new FakeTimeProvider(now);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time });
        var ct = TestContext.Current.CancellationToken;
        var symbol = cluster.Symbol("EDGEL");
        Assert.Equal(2, (await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("EDGEL", now, 40.5m, 100m)],
            Quotes = [new QuoteTick("EDGEL", now, 40.4m, 1000m, 40.6m, 1000m)],
        })).Accepted);
        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient("edge-late");
        var stop = await venue.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "el-1", Symbol = "EDGEL", Side = OrderSide.Sell, Type = OrderType.Stop, StopPrice = 40m, Quantity = 10m, TimeInForce = TimeInForce.Gtc,
        }, ct);

        var late = now - TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(ticksOlder);
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("EDGEL", late, 39.9m, 200m)] })).Accepted);

        Assert.Equal(reachesTheVenue ? OrderStatus.Filled : OrderStatus.Accepted, (await venue.GetOrderAsync(stop.OrderId, ct))!.Status);
        Assert.Equal(40.5m, (await symbol.GetQuoteAsync()).LastTrade!.Price);
        await symbol.CloseBarsAsync();
        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal((Monday, 300m, 39.9m), (bar.Start, bar.Volume, bar.Low));
    }
}
