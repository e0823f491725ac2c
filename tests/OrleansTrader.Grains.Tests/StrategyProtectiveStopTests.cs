using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>A built-in strategy with <c>trailingStopPercent</c> at the paper exchange: the stop follows the position and closes it.</summary>
public sealed class StrategyProtectiveStopTests
{
    private const string Symbol = "PST";
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    [Fact]
    public async Task TheStopFollowsTheEntry_TrailsTheTrades_ClosesThePosition_AndTheStrategyStaysOut()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var account = await TestAccounts.OpenAsync(cluster, "protected", 100_000m);
        await Market.QuoteAsync(cluster, Symbol, 40.99m, 41m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("protected", "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "sma-crossover",
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string>
            {
                ["symbol"] = Symbol, ["quantity"] = "10", ["fastPeriod"] = "1", ["slowPeriod"] = "2", ["trailingStopPercent"] = "5",
            },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        // 40, 39, 41: the fast average crosses above the slow one on the third bar, and the strategy buys 10 at the ask.
        var start = await CrossAboveAsync(cluster);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Count == 1 && p[0].Quantity == 10m, "the entry");

        // Once the entry has filled, the strategy puts a 5% trailing stop on the whole position.
        var stop = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 1, "the protective stop"))[0];
        Assert.Equal((OrderSide.Sell, OrderType.TrailingStop, 10m, 5m, TimeInForce.Gtc, "strategy:sma"),
            (stop.Side, stop.Type, stop.Quantity, stop.TrailPercent, stop.TimeInForce, stop.Origin));

        // A trade at 41.50 sets the mark (stop at 39.425) and one at 42 lifts it (stop at 39.90); 40 stays above that,
        // 39.80 goes through it (a stop that had not trailed would still rest) and the stop sells at the bid.
        await TradeAsync(cluster, 41.50m);
        await TradeAsync(cluster, 42m);
        await TradeAsync(cluster, 40m);
        Assert.Equal(OrderStatus.Accepted, (await account.GetOrderAsync(stop.OrderId))!.Status);
        await Market.QuoteAsync(cluster, Symbol, 39.75m, 39.85m);
        await TradeAsync(cluster, 39.80m);
        var filled = await Eventually.WaitAsync(() => account.GetOrderAsync(stop.OrderId), o => o!.Status == OrderStatus.Filled, "the stop's fill");
        Assert.Equal(39.75m, filled!.AverageFillPrice);
        var closed = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal((0m, -12.50m), (closed.Quantity, closed.RealizedPnl));

        // Stopped out while still above the slow average: no buy straight back in on the next bar.
        await BarAsync(cluster, start.AddMinutes(3), 42m);
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.BarsSeen == 4 && s.Positions.All(p => p.Quantity == 0m), "the fourth bar, seen flat");
        Assert.Equal(2, (await strategy.GetStatusAsync())!.IntentsSent);
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));

        // The strategy's own trade log has the round trip, as the account's does.
        var trades = (await strategy.GetTradesAsync(new TradeQuery()))!;
        var trade = Assert.Single(trades.Trades);
        Assert.Equal(("protected", "sma", 1L, true, 10m, 41m, 39.75m, -12.50m), (trades.AccountId, trades.StrategyId, trade.Number, trade.IsLong, trade.Quantity,
            trade.EntryPrice, trade.ExitPrice, trade.RealizedPnl));
        Assert.Empty(trades.Open);
        Assert.Equal(trade with { }, Assert.Single((await account.GetTradesAsync(new TradeQuery()))!.Trades));
    }

    /// <summary>
    /// A cross while the account is HALTED: the strategy withdraws its stop to send its exit, which the halt withholds. The
    /// cancel went (cancels pass in every state), the exit and the stop asked for again did not, and the position stayed
    /// open without a stop for as long as the halt lasted. The cancel now waits for the halt to end; then the exit goes.
    /// </summary>
    [Fact]
    public async Task ACrossWhileHalted_LeavesTheStopOnThePosition_AndTheExitGoesOnceTradingResumes()
    {
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<ILoggerProvider>(logs),
        });
        var account = await TestAccounts.OpenAsync(cluster, "halted-stop", 100_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, Symbol, 40.99m, 41m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("halted-stop", "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "sma-crossover",
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["fastPeriod"] = "1", ["slowPeriod"] = "2", ["trailingStopPercent"] = "5" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        var start = await CrossAboveAsync(cluster);
        var stop = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.TrailingStop, "the protective stop"))[0];

        // Halted, and heard at once: a start reads the breakers.
        var breaker = cluster.Breaker("halted-stop");
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "halt")).Succeeded);
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await strategy.StartAsync()).Succeeded);

        // 40 under the slow average of 40.5: the death cross asks for the stop's cancel on this bar and the next.
        await BarAsync(cluster, start.AddMinutes(3), 40m);
        await BarAsync(cluster, start.AddMinutes(4), 39.5m);
        await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.BarsSeen == 5, "the bars of the halt");
        var halted = (await strategy.GetStatusAsync())!;
        Assert.Equal((OrderStatus.Accepted, 10m, 0L, 2L), ((await account.GetOrderAsync(stop.OrderId))!.Status,
            (await account.GetPositionsAsync()).Single().Quantity, halted.IntentsSuppressed, halted.IntentsSent));
        var held = Assert.Single(logs.Entries, e => e.EventId.Id == 5423);
        Assert.Contains($"the cancel of {stop.ClientOrderId}, which closes the position in {Symbol}, is held while trading is HALTED", held.Text, StringComparison.Ordinal);

        // Trading resumes: the cancel goes, then the exit the cross asked for.
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).Succeeded);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Single().Quantity == 0m, "the exit after the halt", TimeSpan.FromSeconds(30));
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(stop.OrderId))!.Status);
        var resumed = await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.Positions.Single().Quantity == 0m, "the strategy's exit");
        Assert.Equal((0L, 3L), (resumed!.IntentsSuppressed, resumed.IntentsSent));
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    /// <summary>
    /// An RSI exit whose stop's cancel the venue refused: the stop went back to working, the strategy was not told, and the
    /// exit waited for a cancel nobody asked for again (the RSI asks for its exit only while the signal holds). The stop now
    /// asks for its cancel again on a bar a minute later, and the exit goes once it is confirmed.
    /// </summary>
    [Fact]
    public async Task AStopsCancelTheVenueRefused_IsAskedForAgainOnALaterBar_AndTheExitGoes()
    {
        var cancels = new RefusingCancels();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddSingleton<IBrokerClientFactory>(sp => new WrappingBrokerClientFactory(
                ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => new RefusingCancels.Client(cancels, client))),
        });
        var account = await TestAccounts.OpenAsync(cluster, "refused-cancel", 100_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, Symbol, 40.99m, 41m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("refused-cancel", "rsi"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "rsi-mean-reversion",
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["period"] = "2", ["trailingStopPercent"] = "20" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);

        // 40, 39.6, 39.2: oversold, the strategy buys 10 and puts its stop on them. The bars are stamped from the next
        // minute on: the strategy's time is the start's, and bars stamped before it do not move it.
        var start = TimeProvider.System.GetUtcNow().AddMinutes(1);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start, 40m);
        await BarAsync(cluster, start.AddMinutes(1), 39.6m);
        await BarAsync(cluster, start.AddMinutes(2), 39.2m);
        var stop = (await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.TrailingStop, "the protective stop"))[0];

        // 44: RSI 92 asks for the exit; the venue refuses the stop's cancel, and the stop works on.
        cancels.Refuse = true;
        await BarAsync(cluster, start.AddMinutes(3), 44m);
        await Eventually.WaitAsync(() => Task.FromResult(cancels.Refused), n => n == 1, "the refused cancel");
        await Eventually.WaitAsync(() => account.GetOrderAsync(stop.OrderId), o => o!.Status == OrderStatus.Accepted, "the stop working again");
        cancels.Refuse = false;

        // 40, a minute later: no exit signal any more, but the stop's cancel is asked for again, and the exit follows it.
        await BarAsync(cluster, start.AddMinutes(4), 40m);
        await Eventually.WaitAsync(() => account.GetPositionsAsync(), p => p.Single().Quantity == 0m, "the exit after the cancel asked for again");
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(stop.OrderId))!.Status);
        Assert.Equal((1, 1), (cancels.Refused, cancels.Passed));
        Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null));
    }

    /// <summary>
    /// A stop's cancel that the venue keeps refusing, over three backoff steps (1, 2 and 4 minutes), with a quote of the
    /// symbol heard a second past each minute before that minute's bar (live, the bar goes out once its minute is over).
    /// The host asked again on the quote, the stop on the bar: two cancels in a step, and the host's wait doubled twice
    /// for one step. The account now receives one per step.
    /// </summary>
    [Fact]
    public async Task AStopsCancelTheVenueKeepsRefusing_ReachesTheAccountOncePerBackoffStep()
    {
        // A clock of its own, which nothing moves: the waits pass in the strategy's time only, which the data sets.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        var refusing = new RefusingCancels();
        var calls = new StrategyCancelTests.FailingCancels();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo =>
            {
                silo.Services.AddSingleton<IBrokerClientFactory>(sp => new WrappingBrokerClientFactory(
                    ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => new RefusingCancels.Client(refusing, client)));
                silo.Services.AddSingleton<IIncomingGrainCallFilter>(calls);
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "refused-steps", 100_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await Market.QuoteAsync(cluster, Symbol, 40.99m, 41m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("refused-steps", "rsi"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "rsi-mean-reversion",
            Symbols = [Symbol],
            Parameters = new Dictionary<string, string> { ["quantity"] = "10", ["period"] = "2", ["trailingStopPercent"] = "20" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        var start = time.GetUtcNow().AddMinutes(1);
        await BarAsync(cluster, start, 40m);
        await BarAsync(cluster, start.AddMinutes(1), 39.6m);
        await BarAsync(cluster, start.AddMinutes(2), 39.2m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null),
            o => o.Count == 1 && o[0].Type == OrderType.TrailingStop, "the protective stop");

        // 44 asks for the exit (the bar ends at t0); the venue refuses the stop's cancel from here on.
        refusing.Refuse = true;
        await BarAsync(cluster, start.AddMinutes(3), 44m);
        await Eventually.WaitAsync(() => Task.FromResult(refusing.Refused), n => n == 1, "the refused cancel");
        var t0 = start.AddMinutes(4);
        for (var minute = 1; minute <= 7; minute++)
        {
            var seen = (await strategy.GetStatusAsync())!;
            await Market.QuoteAsync(cluster, Symbol, 39.99m, 40.01m, t0.AddMinutes(minute).AddSeconds(1));
            await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.TicksSeen > seen.TicksSeen, $"the quote after minute {minute}");
            await BarAsync(cluster, t0.AddMinutes(minute - 1), 40m);
            await Eventually.WaitAsync(() => strategy.GetStatusAsync(), s => s!.BarsSeen > seen.BarsSeen, $"the bar of minute {minute}");
        }

        // Asked at t0, then once each at 1, 3 and 7 minutes on; the stop still works and the position is still open.
        Assert.Equal((4, 4), (calls.Calls, refusing.Refused));
        Assert.Equal(10m, (await account.GetPositionsAsync()).Single().Quantity);
    }

    /// <summary>Refuses every cancel at the venue while <see cref="Refuse"/> is set; counts the refused and the passed ones.</summary>
    internal sealed class RefusingCancels
    {
        private int _refused;
        private int _passed;

        public volatile bool Refuse;

        public int Refused => Volatile.Read(ref _refused);

        public int Passed => Volatile.Read(ref _passed);

        public sealed class Client(RefusingCancels cancels, IBrokerClient inner) : ForwardingBrokerClient(inner)
        {
            public override Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
            {
                if (cancels.Refuse)
                {
                    Interlocked.Increment(ref cancels._refused);
                    throw new BrokerException(BrokerErrorKind.Rejected, $"cancel of {orderId} refused by the test");
                }

                Interlocked.Increment(ref cancels._passed);
                return base.CancelOrderAsync(orderId, cancellationToken);
            }
        }
    }

    /// <summary>
    /// One-minute bars closing 40, 39, 41 from a whole minute ten minutes ago: a 1/2 crossover's fast average crosses above
    /// its slow one on the third. Returns the first bar's start.
    /// </summary>
    private static async Task<DateTimeOffset> CrossAboveAsync(TradingCluster cluster)
    {
        var start = TimeProvider.System.GetUtcNow().AddMinutes(-10);
        start = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, TimeSpan.Zero);
        await BarAsync(cluster, start, 40m);
        await BarAsync(cluster, start.AddMinutes(1), 39m);
        await BarAsync(cluster, start.AddMinutes(2), 41m);
        return start;
    }

    private static async Task BarAsync(TradingCluster cluster, DateTimeOffset start, decimal close)
    {
        var bar = new Bar(Symbol, start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
    }

    private static async Task TradeAsync(TradingCluster cluster, decimal price)
    {
        var trade = new TradeTick(Symbol, TimeProvider.System.GetUtcNow(), price, 100m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Trades = [trade] })).Accepted);
    }
}
