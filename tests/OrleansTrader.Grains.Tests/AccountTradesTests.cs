using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>An account's round trips: followed fill by fill, stored when they close, queried newest first, kept across a restart.</summary>
public sealed class AccountTradesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ATrade_RunsFromTheEntryToTheLastExit_AndAFlipStartsTheNext_AcrossARestart()
    {
        await using var cluster = await StartAsync(_dir.File("trades.db"));
        var account = cluster.Account("trades");
        Assert.True((await account.OpenAsync(new OpenAccount { Cash = 100_000m, AccountType = AccountType.Margin, RiskLimits = TestAccounts.Loose })).Succeeded);

        // Long 10 at 50, out in two sells at 52 and 53: one trade, exit at their average.
        await Market.QuoteAsync(cluster, "TRD", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("t1", "TRD", OrderSide.Buy, 10m), 1);
        Assert.Empty((await account.GetTradesAsync(new TradeQuery()))!.Trades);
        await Market.QuoteAsync(cluster, "TRD", 52m, 52m);
        await FillAsync(account, Market.MarketOrder("t2", "TRD", OrderSide.Sell, 4m), 2);
        var halfway = (await account.GetTradesAsync(new TradeQuery()))!;
        Assert.Empty(halfway.Trades);
        var open = Assert.Single(halfway.Open);
        Assert.Equal(("TRD", true, 6m, 50m, 8m), (open.Symbol, open.IsLong, open.Quantity, open.EntryPrice, open.RealizedPnl));

        await Market.QuoteAsync(cluster, "TRD", 53m, 53m);
        await FillAsync(account, Market.MarketOrder("t3", "TRD", OrderSide.Sell, 6m), 3);

        // Then a sell of 5 at 53 opens a short, and a buy of 8 at 51 covers it and flips long 3.
        await FillAsync(account, Market.MarketOrder("t4", "TRD", OrderSide.Sell, 5m), 4);
        await Market.QuoteAsync(cluster, "TRD", 51m, 51m);
        await FillAsync(account, Market.MarketOrder("t5", "TRD", OrderSide.Buy, 8m), 5);

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("trades");
        var fills = await account.GetFillsAsync(0, 10);
        var result = (await account.GetTradesAsync(new TradeQuery()))!;

        Assert.Equal([2L, 1L], result.Trades.Select(t => t.Number));
        var first = result.Trades[1];
        Assert.Equal((true, 10m, 50m, 52.6m, 26m), (first.IsLong, first.Quantity, first.EntryPrice, first.ExitPrice, first.RealizedPnl));
        Assert.Equal(fills[0].Timestamp, first.EntryTime);
        Assert.Equal((fills[2].Timestamp, fills[2].ExecutionId), (first.ExitTime, first.ExitExecutionId));
        Assert.Equal(fills.Take(3).Sum(f => f.Fee), first.Fees);
        Assert.Equal(fills.Take(3).Sum(f => f.RealizedPnl), first.RealizedPnl);

        // The flip's fee is split by quantity: 5 of its 8 close the short, 3 open the long.
        var second = result.Trades[0];
        Assert.Equal((false, 5m, 53m, 51m, 10m), (second.IsLong, second.Quantity, second.EntryPrice, second.ExitPrice, second.RealizedPnl));
        Assert.Equal(fills[3].Fee + (fills[4].Fee * 5m / 8m), second.Fees);
        var flipped = Assert.Single(result.Open);
        Assert.Equal((true, 3m, 51m, fills[4].Timestamp), (flipped.IsLong, flipped.Quantity, flipped.EntryPrice, flipped.EntryTime));
        Assert.Equal(fills[4].Fee * 3m / 8m, flipped.Fees);

        Assert.Equal((2, 2, 0), (result.Summary.Count, result.Summary.Winning, result.Summary.Losing));
        Assert.Equal(first.NetPnl + second.NetPnl, result.Summary.NetPnl);

        // The realized P&L of the trades (and the open one's) is the account's.
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(snapshot.RealizedPnl, first.RealizedPnl + second.RealizedPnl + flipped.RealizedPnl);
    }

    [Fact]
    public async Task AnOpenTrade_ScaledOutAndBackIn_ShowsTheAverageEntryOfWhatIsHeld()
    {
        await using var cluster = await StartAsync(null);
        var account = await TestAccounts.OpenAsync(cluster, "scaled", 100_000m);

        // Long 10 at 50, 4 sold at 52 (+8), 4 bought back at 54: 6 at 50 and 4 at 54 are held, an average of 51.6.
        await Market.QuoteAsync(cluster, "SCL", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("s1", "SCL", OrderSide.Buy, 10m), 1);
        await Market.QuoteAsync(cluster, "SCL", 52m, 52m);
        await FillAsync(account, Market.MarketOrder("s2", "SCL", OrderSide.Sell, 4m), 2);
        await Market.QuoteAsync(cluster, "SCL", 54m, 54m);
        await FillAsync(account, Market.MarketOrder("s3", "SCL", OrderSide.Buy, 4m), 3);

        var open = Assert.Single((await account.GetTradesAsync(new TradeQuery()))!.Open);
        var position = Assert.Single(await account.GetPositionsAsync(), p => p.Symbol == "SCL");
        Assert.Equal((10m, 51.6m, 8m), (open.Quantity, open.EntryPrice, open.RealizedPnl));
        Assert.Equal(position.AverageEntryPrice, open.EntryPrice);

        // Sold at 55, the trade then adds up: its 14 shares in at their average, out at theirs, the realized P&L between them.
        await Market.QuoteAsync(cluster, "SCL", 55m, 55m);
        await FillAsync(account, Market.MarketOrder("s4", "SCL", OrderSide.Sell, 10m), 4);
        var trade = Assert.Single((await account.GetTradesAsync(new TradeQuery()))!.Trades);
        Assert.Equal(trade.RealizedPnl, (trade.ExitPrice - trade.EntryPrice) * trade.Quantity, 20);
        Assert.Equal(8m + 34m, trade.RealizedPnl);
    }

    [Fact]
    public async Task Trades_ArePagedAndBounded_AndTheQueryFiltersAndPages()
    {
        await using var cluster = await StartAsync(null, tradePagesKept: 2);
        var account = await TestAccounts.OpenAsync(cluster, "many", 1_000_000m);
        await Market.QuoteAsync(cluster, "MNY", 20m, 20m);
        await Market.QuoteAsync(cluster, "OTR", 30m, 30m);

        // 205 round trips of 1 share, every fifth in OTR: three pages of 100, of which the newest two are kept.
        for (var i = 1; i <= 205; i++)
        {
            var symbol = i % 5 == 0 ? "OTR" : "MNY";
            Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"b{i}", symbol, OrderSide.Buy, 1m))).Succeeded);
            await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Any(x => x.Symbol == symbol && x.Quantity == 1m), $"buy {i}");
            Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"s{i}", symbol, OrderSide.Sell, 1m))).Succeeded);
            await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.All(x => x.Quantity == 0m), $"sell {i}");
        }

        var all = (await account.GetTradesAsync(new TradeQuery { Limit = 1_000 }))!.Trades;
        Assert.Equal(Enumerable.Range(101, 105).Reverse().Select(n => (long)n), all.Select(t => t.Number));

        var page = (await account.GetTradesAsync(new TradeQuery { Limit = 10, Before = 150 }))!.Trades;
        Assert.Equal(Enumerable.Range(140, 10).Reverse().Select(n => (long)n), page.Select(t => t.Number));

        var other = (await account.GetTradesAsync(new TradeQuery { Symbol = "OTR", Limit = 1_000 }))!.Trades;
        Assert.Equal(21, other.Count);
        Assert.All(other, t => Assert.Equal(0, t.Number % 5));

        var today = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        Assert.Empty((await account.GetTradesAsync(new TradeQuery { From = today.AddDays(1) }))!.Trades);
        Assert.Equal(5, (await account.GetTradesAsync(new TradeQuery { From = today.AddDays(-1), Limit = 5 }))!.Trades.Count);
    }

    // The next page is "before" the last number of this one: trades closed between the two reads are newer, so a client
    // paging back meets every older trade once, none twice.
    [Fact]
    public async Task PagesReadWhileTradesClose_ListEveryEarlierTradeOnce()
    {
        await using var cluster = await StartAsync(null);
        var account = await TestAccounts.OpenAsync(cluster, "paging", 1_000_000m);
        await Market.QuoteAsync(cluster, "PGA", 20m, 20m);
        var fills = 0;
        async Task RoundTripAsync(int i)
        {
            foreach (var (id, side) in new[] { ($"pb{i}", OrderSide.Buy), ($"ps{i}", OrderSide.Sell) })
            {
                var count = ++fills;
                Assert.True((await account.PlaceOrderAsync(Market.MarketOrder(id, "PGA", side, 1m))).Succeeded);
                await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == count, $"fill {count}");
            }
        }

        for (var i = 1; i <= 5; i++)
        {
            await RoundTripAsync(i);
        }

        var first = (await account.GetTradesAsync(new TradeQuery { Limit = 2 }))!.Trades;
        await RoundTripAsync(6);
        await RoundTripAsync(7);
        var second = (await account.GetTradesAsync(new TradeQuery { Limit = 2, Before = first[^1].Number }))!.Trades;
        var third = (await account.GetTradesAsync(new TradeQuery { Limit = 2, Before = second[^1].Number }))!.Trades;

        Assert.Equal([5L, 4L, 3L, 2L, 1L], first.Concat(second).Concat(third).Select(t => t.Number));
    }

    // A per-share fee of 1.00 (the order minimum) on a buy of 8 that covers a short of 5 and opens a long of 3: 0.625 of it
    // closes the short, put on the cent as 0.63, and the long takes the 0.37 left, so the trades' fees are the fills'.
    [Fact]
    public async Task AFlipsFee_IsSplitInWholeCents_AndTheTradesAddUpToTheAccount()
    {
        await using var cluster = await StartAsync(null);
        var account = cluster.Account("flip-fee");
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 100_000m,
            AccountType = AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
            FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare, IncludeRegulatoryFees = false },
        })).Succeeded);
        await Market.QuoteAsync(cluster, "FLF", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("ff-short", "FLF", OrderSide.Sell, 5m), 1);
        await Market.QuoteAsync(cluster, "FLF", 51m, 51m);
        await FillAsync(account, Market.MarketOrder("ff-flip", "FLF", OrderSide.Buy, 8m), 2);

        var fills = await account.GetFillsAsync(0, 10);
        var result = (await account.GetTradesAsync(new TradeQuery()))!;
        var closed = Assert.Single(result.Trades);
        var open = Assert.Single(result.Open);
        var snapshot = (await account.GetSnapshotAsync())!;

        Assert.Equal((1.00m, 1.00m), (fills[0].Fee, fills[1].Fee));
        Assert.Equal((-5m, 1.63m), (closed.RealizedPnl, closed.Fees));
        Assert.Equal((3m, 0m, 0.37m), (open.Quantity, open.RealizedPnl, open.Fees));
        Assert.Equal((snapshot.Fees, snapshot.RealizedPnl), (closed.Fees + open.Fees, closed.RealizedPnl + open.RealizedPnl));
    }

    private static Task<TradingCluster> StartAsync(string? sqlitePath, int tradePagesKept = 100) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        SqlitePath = sqlitePath,
        ConfigureSilo = silo => silo.Configure<AccountGrainOptions>(o => o.TradePagesKept = tradePagesKept),
    });
}
