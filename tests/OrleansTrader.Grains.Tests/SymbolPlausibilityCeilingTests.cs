using OrleansTrader.Domain.Market;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// MarketData:Validation:MaxPrice and MaxSize hold from a symbol's first tick: the price band only starts after its warm-up,
/// so without a ceiling an absurd first print became the last trade (the accounts' mark) and an absurd size broke the bars.
/// </summary>
public sealed class SymbolPlausibilityCeilingTests
{
    [Fact]
    public async Task AnAbsurdFirstTrade_IsRejected_AndNeverBecomesTheLastTrade()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("CAP");
        var now = TimeProvider.System.GetUtcNow();

        var result = await symbol.IngestAsync(new TickBatch { Trades = [new TradeTick("CAP", now, 1e26m, 100m)] });

        Assert.Null((await symbol.GetQuoteAsync()).LastTrade);
        Assert.Equal(0, result.Accepted);
        Assert.Equal(1, (await symbol.GetStatsAsync()).RejectedByReason["PriceAboveMaximum"]);
    }

    [Fact]
    public async Task AQuoteWithAnAbsurdAsk_IsRejected_AndTheSaneQuoteStays()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("CAQ");
        var now = TimeProvider.System.GetUtcNow();
        Assert.Equal(1, (await symbol.IngestAsync(new TickBatch { Quotes = [new QuoteTick("CAQ", now, 40m, 100m, 40.02m, 100m)] })).Accepted);

        var result = await symbol.IngestAsync(new TickBatch
        {
            Quotes =
            [
                new QuoteTick("CAQ", now.AddMilliseconds(1), 40m, 100m, 1e26m, 100m),
                new QuoteTick("CAQ", now.AddMilliseconds(2), 40m, 100m, 40.02m, 1e20m),
            ],
        });

        var quote = (await symbol.GetQuoteAsync()).LastQuote!;
        Assert.Equal((40.02m, 100m), (quote.AskPrice, quote.AskSize));
        Assert.Equal(0, result.Accepted);
        var rejected = (await symbol.GetStatsAsync()).RejectedByReason;
        Assert.Equal((1, 1), (rejected["PriceAboveMaximum"], rejected["SizeAboveMaximum"]));
    }

    [Fact]
    public async Task AFeedBarWithAnAbsurdHigh_IsRejected_AndNotPublished()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("CAB");
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var start = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);

        var result = await symbol.IngestAsync(new TickBatch { Bars = [new Bar("CAB", start, TimeSpan.FromMinutes(1), 40m, 1e26m, 40m, 40m, 1_000m)] });

        Assert.Equal(0, result.Accepted);
        Assert.Empty(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal(1, (await symbol.GetStatsAsync()).RejectedByReason["PriceAboveMaximum"]);
    }

    [Fact]
    public async Task TradesWhoseSizesSumPastADecimal_AreRejected_AndTheMinutesBarsStillBuild()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var symbol = cluster.Symbol("CAV");
        var now = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);

        // Each size is a valid decimal; their sum in the open bar's volume is not (decimal.MaxValue is about 7.9e28).
        var result = await symbol.IngestAsync(new TickBatch
        {
            Trades =
            [
                new TradeTick("CAV", t0.AddSeconds(1), 40m, 5e28m),
                new TradeTick("CAV", t0.AddSeconds(2), 40m, 5e28m),
                new TradeTick("CAV", t0.AddSeconds(3), 40m, 100m),
                new TradeTick("CAV", t0.AddSeconds(61), 40m, 100m),
            ],
        });

        Assert.Equal((2, 2), (result.Accepted, result.Rejected));
        var bar = Assert.Single(await symbol.GetBarsAsync(TimeSpan.FromMinutes(1), DateTimeOffset.MinValue, DateTimeOffset.MaxValue));
        Assert.Equal((t0, 100m), (bar.Start, bar.Volume));
        Assert.Equal(2, (await symbol.GetStatsAsync()).RejectedByReason["SizeAboveMaximum"]);
    }
}
