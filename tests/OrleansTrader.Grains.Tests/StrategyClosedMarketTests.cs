using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// On the NYSE calendar the feed prints in the extended session (04:00-20:00 New York), and a strategy hears those
/// prints; its orders are for the regular session only, so an account that requires the market open (the default)
/// refuses them as MARKET_CLOSED. The host refuses the strategy's next ones itself until the regular open, as it does
/// for a stale quote, instead of sending one to be refused, journaled and logged on every print of the evening.
/// </summary>
public sealed class StrategyClosedMarketTests
{
    private const string Symbol = "AHRS";

    [Fact]
    public async Task IntentsAfterTheClose_AreRefusedOnceByTheAccount_AndNotSentAgainUntilTheNextOpen()
    {
        // Friday 2026-11-27 closes early, at 13:00 New York (18:00 UTC); the after-hours session lasts until 17:00.
        var friday = new DateOnly(2026, 11, 27);
        var time = new FakeTimeProvider(NyseCalendar.ToUtc(friday, new TimeOnly(13, 30)));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo => silo.Services.AddStrategy(Chaser.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "closed", 1_000_000m);
        Assert.True(TestAccounts.Loose.RequireMarketOpen);
        await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
        var strategy = await StartChaserAsync(cluster, "closed", "chaser", Symbol);

        const int AfterHoursTrades = 20;
        for (var i = 0; i < AfterHoursTrades; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Market.TradeAsync(cluster, Symbol, 50m + (i * 0.01m));
        }

        // Every print asked for a buy; the account refused the first as MARKET_CLOSED, the rest never reached it.
        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= AfterHoursTrades,
            "every intent to be refused", TimeSpan.FromSeconds(30));
        Assert.Equal(AfterHoursTrades, status.IntentsDenied);
        var denied = (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Where(o => o.Status == OrderStatus.Denied).ToList();
        var atAccount = Assert.Single(denied);
        Assert.Contains("market is closed", atAccount.StatusReason);

        // Monday's open (the weekend between): the next print the strategy hears sends the order, and the account takes it.
        // The market prints every second, as it does: the grains idle over the weekend may be collected, and a strategy
        // activated again subscribes anew, after a single print might have gone by.
        time.Advance(NyseCalendar.ToUtc(friday.AddDays(3), new TimeOnly(9, 30, 1)) - time.GetUtcNow());
        var sent = await Eventually.WaitAsync(
            async () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
                await Market.TradeAsync(cluster, Symbol, 50m);
                return (await strategy.GetStatusAsync())!;
            },
            s => s.IntentsSent >= 1, "the order to be sent at the open", TimeSpan.FromSeconds(30));
        Assert.Equal(1, sent.IntentsSent);
        Assert.Single(await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null), o => o.Status == OrderStatus.Denied);
    }

    /// <summary>
    /// The account judges the market closed at its own instant, and the strategy hears the refusal after it: an intent the
    /// account refused a moment before 09:30 came back once the clock read 09:30, and the strategy held its intents until
    /// the calendar's next open after that instant, the next day's, so it traded nothing for the whole session.
    /// </summary>
    [Fact]
    public async Task AnIntentRefusedJustBeforeTheOpen_HeardAfterIt_DoesNotHoldTheStrategysIntentsThroughTheSession()
    {
        // Tuesday 2026-12-08, half a second before the 09:30 New York open.
        var time = new FakeTimeProvider(NyseCalendar.ToUtc(new DateOnly(2026, 12, 8), new TimeOnly(9, 29, 59, 500)));
        var clock = new SkewedTimeProvider(time);
        var calendar = new OpensWhileTheAccountRefuses(clock);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = clock,
            Calendar = calendar,
            ConfigureSilo = silo => silo.Services.AddStrategy(Chaser.Definition),
        });
        await TestAccounts.OpenAsync(cluster, "open-race", 1_000_000m);
        const string StrategyId = "chaser-open-race";
        var strategy = await StartChaserAsync(cluster, "open-race", StrategyId, Symbol);

        // The print's intent reaches the account at 09:29:59.5, which refuses it; by the time the refusal is back it is 09:30:00.5.
        await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
        await Market.TradeAsync(cluster, Symbol, 50m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= 1, "the first intent to be refused",
            TimeSpan.FromSeconds(30));
        Assert.Equal(1, calendar.Refusals);

        // The next print, a second into the session: its intent goes to the account, which takes it.
        time.Advance(TimeSpan.FromSeconds(1));
        await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
        await Market.TradeAsync(cluster, Symbol, 50.01m);
        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsSent + s.IntentsDenied >= 2,
            "the second intent to be sent or held", TimeSpan.FromSeconds(30));
        Assert.True(status.IntentsSent == 1, $"The intent at the open was not sent: {Chaser.DeniedMessages.GetValueOrDefault(StrategyId)?.LastOrDefault()}");
        Assert.Equal(1, status.IntentsDenied);
    }

    /// <summary>
    /// Past the years the calendar covers (the NYSE calendar ends with 2028) the host cannot say when the market opens and
    /// holds the strategy's intents a minute. That minute was a wall time: a clock set back an hour held them an hour and a
    /// minute, every print's intent refused without asking the account.
    /// </summary>
    [Fact]
    public async Task PastTheCalendarsYears_TheMinutesHoldCountsElapsedTime_WhenTheWallClockIsSetBackAnHour()
    {
        // Friday 2028-12-29 18:30 New York, after the close of the calendar's last trading day: its next open is unknown.
        var time = new FakeTimeProvider(NyseCalendar.ToUtc(new DateOnly(2028, 12, 29), new TimeOnly(18, 30)));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = clock,
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo => silo.Services.AddStrategy(Chaser.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "unknown-open", 1_000_000m);
        const string Other = "AHRT";
        var strategy = await StartChaserAsync(cluster, "unknown-open", "chaser", Symbol, Other);
        await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
        await Market.TradeAsync(cluster, Symbol, 50m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= 1, "the first intent to be refused",
            TimeSpan.FromSeconds(30));

        // An hour back (17:31 New York, still after the close) and a minute on: the hold is over, the next intent goes to
        // the account, which refuses it too. The other symbol's first ticks, since the first symbol's would be older than its last.
        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(61));
        await Market.QuoteAsync(cluster, Other, 49.99m, 50.01m);
        await Market.TradeAsync(cluster, Other, 50m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= 2, "the second intent to be refused",
            TimeSpan.FromSeconds(30));

        var denied = (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Where(o => o.Status == OrderStatus.Denied).ToList();
        Assert.Equal([Symbol, Other], denied.Select(o => o.Symbol).Order());
    }

    /// <summary>
    /// Past the calendar's years the host's hold is a minute, not a wait for an open it cannot name: the message of an
    /// intent it refuses said "the market opens at" the end of that minute, an open that does not come then.
    /// </summary>
    [Fact]
    public async Task PastTheCalendarsYears_AHeldIntentsMessage_SaysTheOpenIsUnknownAndHowLongItIsHeld()
    {
        var refusedAt = NyseCalendar.ToUtc(new DateOnly(2028, 12, 29), new TimeOnly(18, 30));
        var time = new FakeTimeProvider(refusedAt);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo => silo.Services.AddStrategy(Chaser.Definition),
        });
        await TestAccounts.OpenAsync(cluster, "unknown-open-message", 1_000_000m);
        const string StrategyId = "chaser-message";
        var strategy = await StartChaserAsync(cluster, "unknown-open-message", StrategyId, Symbol);
        await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
        await Market.TradeAsync(cluster, Symbol, 50m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= 1, "the first intent to be refused",
            TimeSpan.FromSeconds(30));

        // The next print, within the minute: the host refuses its intent without asking the account.
        time.Advance(TimeSpan.FromSeconds(1));
        await Market.TradeAsync(cluster, Symbol, 50.01m);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsDenied >= 2, "the second intent to be held",
            TimeSpan.FromSeconds(30));

        var held = Chaser.DeniedMessages[StrategyId].Last();
        Assert.StartsWith("MARKET_CLOSED: not sent;", held);
        Assert.EndsWith(
            $"and the calendar cannot say when the market next opens (past the years it covers): held for 00:01:00, until {refusedAt.AddMinutes(1):O}.",
            held);
    }

    /// <summary>
    /// Past the calendar's years each minute's hold ends in an intent sent and refused again, and each refusal logged
    /// warning 5474: once a minute per strategy for as long as the build runs, with nothing new in it. The first warns,
    /// the rest are Debug (5420) with how many in a row.
    /// </summary>
    [Fact]
    public async Task PastTheCalendarsYears_TheRefusalEveryMinute_WarnsOnce_AndLogsTheRepeatsAtDebug()
    {
        var time = new FakeTimeProvider(NyseCalendar.ToUtc(new DateOnly(2028, 12, 29), new TimeOnly(18, 30)));
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(Chaser.Definition);

                // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
                silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
            },
        });
        var account = await TestAccounts.OpenAsync(cluster, "unknown-open-log", 1_000_000m);
        var strategy = await StartChaserAsync(cluster, "unknown-open-log", "chaser", Symbol);

        // A print after each minute's hold: its intent goes to the account, which refuses it again.
        const int Refusals = 3;
        for (var i = 0; i < Refusals; i++)
        {
            time.Advance(TimeSpan.FromSeconds(61));
            await Market.QuoteAsync(cluster, Symbol, 49.99m, 50.01m);
            await Market.TradeAsync(cluster, Symbol, 50m);

            // The strategy's count, not the account's: the hold begins when the strategy hears the refusal, after the account made it.
            var refused = i + 1;
            await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, st => st.IntentsDenied >= refused,
                $"refusal {refused} to reach the strategy", TimeSpan.FromSeconds(30));
        }

        Assert.Equal(Refusals, (await account.GetOrdersAsync(OrderStatusFilter.All, 1_000, null)).Count(o => o.Status == OrderStatus.Denied));
        var lines = logs.Entries
            .Where(e => e.EventId.Id is 5474 or 5420 && e.Text.Contains("AccountId=unknown-open-log;", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(["5474 Warning", "5420 Debug", "5420 Debug"], lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains("(3 refusals in a row)", lines[^1].Text, StringComparison.Ordinal);
    }

    /// <summary>Buys on every print while it holds none and has no order open (as a strategy that asks while its signal holds).</summary>
    private sealed class Chaser : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "closed-market-chaser",
            MaxSymbols = 2,
            StateType = typeof(ChaserState),
            Create = _ => new Chaser(),
        };

        public override string Kind => Definition.Kind;

        public override void OnTrade(TradeTick trade)
        {
            if (Context.GetPosition(trade.Symbol).Quantity == 0m && !Context.HasOpenOrder(trade.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = trade.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "a print" });
            }
        }

        // The messages of the strategy's Denied updates, by strategy id: what a strategy of the user's own is told.
        public static ConcurrentDictionary<string, ConcurrentQueue<string>> DeniedMessages { get; } = new(StringComparer.Ordinal);

        public override void OnOrderUpdate(StrategyOrderUpdate update)
        {
            if (update.Status == OrderStatus.Denied)
            {
                DeniedMessages.GetOrAdd(Context.StrategyId, static _ => new ConcurrentQueue<string>()).Enqueue(update.Message ?? "");
            }
        }

        public override StrategyState GetState() => new ChaserState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record ChaserState : StrategyState;

    /// <summary>
    /// The NYSE calendar, whose clock moves a second on when the account's market-hours check finds the regular session
    /// closed: the refusal then reaches the strategy after the open, as one made in the last moment before it does.
    /// </summary>
    private sealed class OpensWhileTheAccountRefuses(SkewedTimeProvider clock) : ITradingCalendar
    {
        private static readonly NyseCalendar Nyse = NyseCalendar.Instance;
        private int _refusals;

        public int Refusals => Volatile.Read(ref _refusals);

        public bool IsOpen(DateTimeOffset at, bool includeExtended)
        {
            var open = Nyse.IsOpen(at, includeExtended);
            if (!open && !includeExtended && Interlocked.Increment(ref _refusals) == 1)
            {
                clock.Skew = TimeSpan.FromSeconds(1);
            }

            return open;
        }

        public TradingSession? GetSession(DateOnly date) => Nyse.GetSession(date);

        public DateTimeOffset NextClose(DateTimeOffset after) => Nyse.NextClose(after);

        public DateTimeOffset NextOpen(DateTimeOffset after, bool includeExtended = false) => Nyse.NextOpen(after, includeExtended);

        public DateTimeOffset? LastClose(DateTimeOffset at, bool includeExtended = false) => Nyse.LastClose(at, includeExtended);

        public DateTimeOffset? OpenedAt(DateTimeOffset at, bool includeExtended = false) => Nyse.OpenedAt(at, includeExtended);

        public DateOnly TradingDate(DateTimeOffset at) => Nyse.TradingDate(at);

        public DateTimeOffset TradingDateStart(DateOnly date) => Nyse.TradingDateStart(date);
    }

    private static async Task<IStrategyGrain> StartChaserAsync(TradingCluster cluster, string accountId, string strategyId, params string[] symbols)
    {
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, strategyId));
        var created = await strategy.CreateAsync(new CreateStrategy { Kind = Chaser.Definition.Kind, Symbols = symbols, Start = true });
        Assert.True(created.Succeeded, created.Message);
        return strategy;
    }
}
