using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Known answers for a symbol's ingest: a halt gap in trades and quotes at once, and the bars kept for the bars query.
/// </summary>
public sealed class SymbolGrainKnownAnswerTests
{
    /// <summary>
    /// A halt, then a reopen 15% higher: trades and quotes are banded apart, each re-anchors on the 5th print of the new
    /// level (4 of each rejected, counted as OutsidePriceBand), and the reopen's bar holds only the prints accepted.
    /// </summary>
    [Fact]
    public async Task AReopenAfterAHalt_ReanchorsTradesAndQuotesApart_AndItsBarHoldsTheAcceptedPrintsOnly()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var m = new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);
        var reopen = m.AddMinutes(10);
        var symbol = cluster.Symbol("HALT");
        var trades = new List<TradeTick>();
        var quotes = new List<QuoteTick>();
        for (var i = 0; i < 6; i++)
        {
            trades.Add(new TradeTick("HALT", m.AddSeconds(i * 5), 100m + (i * 0.1m), 100m, "P", SourceId: i + 1));
            quotes.Add(new QuoteTick("HALT", m.AddSeconds(i * 5), 99.9m, 100m, 100.1m, 100m, "P", SourceId: i + 1));
            trades.Add(new TradeTick("HALT", reopen.AddSeconds(i), 115m + (i * 0.1m), 100m, "P", SourceId: i + 100));
            quotes.Add(new QuoteTick("HALT", reopen.AddSeconds(i), 114.9m + (i * 0.1m), 100m, 115.1m + (i * 0.1m), 100m, "P", SourceId: i + 100));
        }

        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades = [.. trades.OrderBy(t => t.Timestamp)],
            Quotes = [.. quotes.OrderBy(q => q.Timestamp)],
        });
        await symbol.CloseBarsAsync();

        Assert.Equal((16, 8), (result.Accepted, result.Rejected));
        var stats = await symbol.GetStatsAsync();
        Assert.Equal((8, 8), (stats.AcceptedTrades, stats.AcceptedQuotes));
        Assert.Equal(("OutsidePriceBand", 8L), Assert.Single(stats.RejectedByReason.Select(r => (r.Key, r.Value))));
        var bars = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal(
            [(m, 100m, 100.5m, 100m, 100.5m, 600m, 6), (reopen, 115.4m, 115.5m, 115.4m, 115.5m, 200m, 2)],
            bars.Select(b => (b.Start, b.Open, b.High, b.Low, b.Close, b.Volume, b.TradeCount)));
        var quote = await symbol.GetQuoteAsync();
        Assert.Equal(115.5m, quote.LastTrade!.Price);
        Assert.Equal((115.4m, 115.6m), (quote.LastQuote!.BidPrice, quote.LastQuote.AskPrice));
    }

    /// <summary>
    /// The bars query answers from the latest MinuteBarsKept and SecondBarsKept completed bars (older ones are dropped, as
    /// counts, not time), those starting in [from, to), oldest first; BarsPublished still counts every bar that went out.
    /// </summary>
    [Fact]
    public async Task TheBarsQuery_AnswersFromTheLatestBarsKept_StartingInItsWindow()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<SymbolGrainOptions>(o => (o.MinuteBarsKept, o.SecondBarsKept) = (5, 7)),
        });
        var m = new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("KEPT");
        var trades = Enumerable.Range(0, 9).Select(i => new TradeTick("KEPT", m.AddMinutes(i).AddSeconds(1), 10m + i, 1m, "P", SourceId: i + 1)).ToList();
        Assert.Equal(9, (await symbol.IngestAsync(new TickBatch { Trades = trades })).Accepted);
        await symbol.CloseBarsAsync();

        var kept = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([.. Enumerable.Range(4, 5).Select(i => (m.AddMinutes(i), 10m + i))], kept.Select(b => (b.Start, b.Close)));
        var window = await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), m.AddMinutes(5), m.AddMinutes(7));
        Assert.Equal([m.AddMinutes(5), m.AddMinutes(6)], window.Select(b => b.Start));
        Assert.Empty(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), m, m.AddMinutes(4)));
        var seconds = await symbol.GetBarsAsync(TimeSpan.FromSeconds(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        Assert.Equal([.. Enumerable.Range(2, 7).Select(i => m.AddMinutes(i).AddSeconds(1))], seconds.Select(b => b.Start));
        var stats = await symbol.GetStatsAsync();
        Assert.Equal((9, 9), (stats.BarsPublished, stats.SecondBarsPublished));
    }

    /// <summary>
    /// Prints stamped alike (one venue's burst, a feed's millisecond stamps): the last to arrive is the last trade and quote,
    /// as it is the close of the bar they fall in, not the first of them.
    /// </summary>
    [Fact]
    public async Task TicksStampedAlike_LeaveTheLastToArrive_AsTheLastTradeAndQuote_AndTheBarsClose()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var at = new DateTimeOffset(2013, 10, 7, 13, 30, 5, TimeSpan.Zero);
        var symbol = cluster.Symbol("SAME");

        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("SAME", at, 40m, 100m, "P", SourceId: 1), new TradeTick("SAME", at, 40.1m, 200m, "P", SourceId: 2)],
            Quotes = [new QuoteTick("SAME", at, 39.9m, 100m, 40.2m, 100m, "P", SourceId: 1), new QuoteTick("SAME", at, 40m, 100m, 40.3m, 100m, "P", SourceId: 2)],
        });
        await symbol.CloseBarsAsync();

        Assert.Equal(4, result.Accepted);
        var quote = await symbol.GetQuoteAsync();
        Assert.Equal((40.1m, (long?)2), (quote.LastTrade?.Price, quote.LastTrade?.SourceId));
        Assert.Equal((40m, 40.3m), (quote.LastQuote?.BidPrice, quote.LastQuote?.AskPrice));
        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), at.AddMinutes(-1), at.AddMinutes(1)));
        Assert.Equal((40m, 40.1m, 300m), (bar.Open, bar.Close, bar.Volume));
    }

    /// <summary>
    /// A feed bar is known at its end, so it goes before a trade stamped at that end (the next minute's first): the minute
    /// kept and published is the feed's, and the one the trades built for it is the duplicate, as a CSV replay orders them.
    /// </summary>
    [Fact]
    public async Task AFeedBar_GoesBeforeATradeStampedAtItsEnd_SoTheMinuteKeptIsTheFeeds()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var m = new DateTimeOffset(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);
        var symbol = cluster.Symbol("FBAR");

        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades = [new TradeTick("FBAR", m.AddSeconds(10), 40m, 100m, "P", SourceId: 1), new TradeTick("FBAR", m.AddMinutes(1), 40.2m, 100m, "P", SourceId: 2)],
            Bars = [new Bar("FBAR", m, TimeSpan.FromMinutes(1), 40m, 40.3m, 39.9m, 40.1m, 5_000m, 42)],
        });

        Assert.Equal(3, result.Accepted);
        var minute = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), m, m.AddMinutes(1)));
        Assert.Equal((5_000m, 42), (minute.Volume, minute.TradeCount));
        var stats = await symbol.GetStatsAsync();
        Assert.Equal(1, stats.BarsPublished);
        Assert.Equal(1, stats.RejectedByReason["Duplicate"]);
    }
}
