using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy run live on a replay of real minute bars, trading on the paper exchange, decides on the same bars as the
/// backtester run on those bars read from the files: the same orders in the same order. Only the fills differ, as
/// documented: the backtest fills at the next bar's open, the paper exchange at the touch of the quote standing.
/// </summary>
public sealed class StrategyBacktestParityTests
{
    private static readonly Domain.Risk.RiskLimits ReplayLimits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(20_000) };

    /// <param name="startAfter">
    /// Bars of the day the symbol has before the strategy starts: it warms up on the last of them (as many as it asks for),
    /// and its backtest runs on the same bars from the first of those on. Its warm-up and a backtest's first bars count the
    /// same: no order is asked for on either, and the first live bar is the backtest's first that can signal.
    /// </param>
    [Theory]
    [InlineData(StrategyKinds.SmaCrossover, "quantity=100;fastPeriod=10;slowPeriod=30", 0)]
    [InlineData(StrategyKinds.RsiMeanReversion, "quantity=100;period=14", 0)]
    [InlineData(StrategyKinds.BollingerBreakout, "quantity=100;period=20;k=2", 0)]
    [InlineData(StrategyKinds.SmaCrossover, "quantity=100;fastPeriod=10;slowPeriod=30", 300)]
    [InlineData(StrategyKinds.RsiMeanReversion, "quantity=100;period=14", 300)]
    [InlineData(StrategyKinds.BollingerBreakout, "quantity=100;period=20;k=2", 300)]
    public async Task ABuiltInKind_LiveOnTheSpyReplay_SendsTheOrdersItsBacktestSends_FilledAtTheQuoteStandingAtItsSignal(string kind, string given, int startAfter)
    {
        var data = MarketDataLocator.Find();
        if (data is null || !Directory.Exists(Path.Combine(data, "minute", "SPY")))
        {
            Assert.Skip("Shared market data (shared/data/market/minute/SPY) not found; set ORLEANSTRADER_MARKET_DATA to run this test.");
        }

        var day = new DateOnly(2013, 10, 7);
        var parameters = given.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "parity", 1_000_000m, ReplayLimits);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("parity", "sma"));
        async Task CreateAsync() => Assert.True((await strategy.CreateAsync(new CreateStrategy
        {
            Kind = kind, Symbols = ["SPY"], Parameters = parameters, Start = true,
        })).Succeeded);
        if (startAfter == 0)
        {
            await CreateAsync();
        }

        // One bar at a time: the strategy decides on it and its order is final before the next row goes in, so the
        // replay never runs ahead of the orders (at full speed it ran days ahead of them and they filled at those quotes).
        var replay = new CsvReplayOptions { DataPath = data, SpeedFactor = 0, StartDate = day, EndDate = day };
        replay.Symbols.Add("SPY");
        replay.Kinds.Add(CsvFileKind.MinuteTradeBars);
        replay.Kinds.Add(CsvFileKind.MinuteQuoteBars);
        var feed = new CsvReplayFeed(null, replay, new TickValidatorOptions(), TimeProvider.System, NullLogger.Instance);
        var barsIn = 0;
        await foreach (var item in feed.ReadAsync(TestContext.Current.CancellationToken))
        {
            var batch = item switch
            {
                BarEvent bar => new TickBatch { Bars = [bar.Bar] },
                QuoteEvent quote => new TickBatch { Quotes = [quote.Quote] },
                _ => null,
            };
            if (batch is null)
            {
                continue;
            }

            await cluster.Symbol("SPY").IngestAsync(batch);
            if (item is BarEvent && ++barsIn <= startAfter)
            {
                if (barsIn == startAfter)
                {
                    await CreateAsync();
                }
            }
            else if (item is BarEvent)
            {
                await Eventually.WaitAsync(
                    async () => ((await strategy.GetStatusAsync())!, await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null)),
                    x => x.Item1.BarsSeen >= barsIn - startAfter && x.Item2.Count == x.Item1.IntentsSent + x.Item1.IntentsDenied && x.Item2.All(o => o.Status.IsFinal()),
                    $"the strategy to decide on bar {barsIn} and its orders to be final", TimeSpan.FromSeconds(30));
            }
        }

        var status = (await strategy.GetStatusAsync())!;
        var orders = (await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null)).ToDictionary(o => o.ClientOrderId, StringComparer.Ordinal);

        // The same bars from the files, independently of the replay, through the domain's backtester.
        var bars = new CsvBarHistory(data).ReadLatest("SPY", CsvBarHistory.OneMinute, 20_000,
            new DateTimeOffset(2013, 10, 8, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2013, 10, 7, 0, 0, 0, TimeSpan.Zero)).Bars;
        Assert.Equal(barsIn, bars.Count);
        var built = StrategyCatalog.Create(kind, new Dictionary<string, string>(parameters) { ["symbol"] = "SPY" });
        var warmUp = startAfter == 0 ? 0 : built.WarmUpBars;
        Assert.Equal(warmUp, status.WarmUp?.Symbols.Sum(s => s.Bars) ?? 0);
        var backtest = Backtester.Run(built, [.. bars.Skip(startAfter - warmUp)], new BacktestOptions { StrategyId = "sma", InitialCash = 1_000_000m });
        Assert.True(backtest.Intents.Count > 4, $"the backtest sent only {backtest.Intents.Count} orders");
        Assert.Equal(0, status.IntentsDenied);
        Assert.Equal(
            backtest.Intents.Select(i => (i.ClientOrderId, i.Side, i.Quantity, i.Type)),
            orders.Values.OrderBy(o => o.CreatedAt).ThenBy(o => o.ClientOrderId.Length).ThenBy(o => o.ClientOrderId, StringComparer.Ordinal)
                .Select(o => (o.ClientOrderId, o.Side, o.Quantity, o.Type)));

        // The fills differ only as documented: the backtest's at the next bar's open, the paper exchange's at the touch of
        // the quote standing when the order came (the last one-minute quote that ended before the signal bar's end: the
        // quote stamped at that end follows the bar).
        var quotes = ReadQuoteCloses(Path.Combine(data, "minute", "SPY", $"{day:yyyy-MM-dd}.quotes.csv"));
        foreach (var intent in backtest.Intents)
        {
            var order = orders[intent.ClientOrderId];
            var standing = quotes.Last(q => q.End < intent.CreatedAt);
            Assert.Equal(intent.Quantity, order.FilledQuantity);
            Assert.Equal(intent.Side == OrderSide.Buy ? standing.Ask : standing.Bid, order.AverageFillPrice);
        }
    }

    /// <summary>Each one-minute quote row's closing bid and ask, with the end of its minute, read straight from the file.</summary>
    private static List<(DateTimeOffset End, decimal Bid, decimal Ask)> ReadQuoteCloses(string file) =>
        [.. File.ReadLines(file).Skip(1).Select(line => line.Split(',')).Select(f => (
            DateTimeOffset.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture).AddMinutes(1),
            decimal.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(f[9], System.Globalization.CultureInfo.InvariantCulture)))];
}
