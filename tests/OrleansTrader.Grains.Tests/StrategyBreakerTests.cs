using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A running strategy never trades while its account is not ACTIVE: HALTED (the account's breaker or the global kill
/// switch) withholds every intent, REDUCING every intent that does not reduce the strategy's position, and after a reset it
/// trades again. Its trading state is the newest the breakers have, never an older one its account recorded late.
/// </summary>
public sealed class StrategyBreakerTests
{
    private const string Symbol = "SBT";
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private readonly DateTimeOffset _firstBar = StartOfMinute(TimeProvider.System.GetUtcNow().AddHours(-2));
    private int _bars;

    [Fact]
    public async Task AccountHalted_WithholdsEveryIntent_AndAfterTheResetTheStrategyTradesAgain()
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "sb-halt");
        var strategy = await CreateAsync(cluster, "sb-halt", OrderSide.Buy);
        var traded = await BarAsync(cluster, strategy, account);
        Assert.Equal(1, traded.IntentsSent);
        Assert.Equal(1m, Own(traded));

        Assert.True((await cluster.Breaker("sb-halt").TripAsync(TradingState.Halted, RiskOfficer, "halt the account")).Succeeded);

        await WithheldAsync(cluster, strategy, account);
        await TradesAgainAfterResetAsync(cluster, cluster.Breaker("sb-halt"), strategy, account);
    }

    /// <summary>
    /// A breaker can stay tripped for hours while a strategy asks on every bar (every second on second bars): a warning per
    /// withheld intent buried every other line of the log. The withholding is warned of once, its repeats are at Debug, and
    /// its end says how many were withheld.
    /// </summary>
    [Fact]
    public async Task AccountHalted_WarnsOnceWhenWithholdingBegins_LogsTheRepeatsAtDebug_AndTheCountWhenItEnds()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs: logs);
        var account = await OpenAsync(cluster, "sb-log");
        var strategy = await CreateAsync(cluster, "sb-log", OrderSide.Buy);
        Assert.Equal(1, (await BarAsync(cluster, strategy, account)).IntentsSent);
        Assert.True((await cluster.Breaker("sb-log").TripAsync(TradingState.Halted, RiskOfficer, "halt the account")).Succeeded);

        await WithheldAsync(cluster, strategy, account);
        await TradesAgainAfterResetAsync(cluster, cluster.Breaker("sb-log"), strategy, account);

        // Bars before the strategy heard the reset were withheld too: the count is the whole withholding's.
        var withheld = (await strategy.GetStatusAsync())!;

        var lines = logs.Entries
            .Where(e => e.EventId.Id is 5404 or 5418 or 5419 && e.Text.Contains("AccountId=sb-log;", StringComparison.Ordinal))
            .ToList();
        string[] expected = ["5404 Warning", .. Enumerable.Repeat("5418 Debug", (int)withheld.IntentsSuppressed - 1), "5419 Information"];
        Assert.Equal(expected, lines.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains($"went from Halted to Active; {withheld.IntentsSuppressed} intents were withheld meanwhile", lines[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GlobalKillSwitch_WithholdsEveryIntent_AndAfterTheResetTheStrategyTradesAgain()
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "sb-kill");
        var strategy = await CreateAsync(cluster, "sb-kill", OrderSide.Buy);
        Assert.Equal(1, (await BarAsync(cluster, strategy, account)).IntentsSent);

        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Halted, RiskOfficer, "kill switch")).Succeeded);

        Assert.Equal(TradingState.Active, (await cluster.Breaker("sb-kill").GetStateAsync()).State);
        await WithheldAsync(cluster, strategy, account);
        await TradesAgainAfterResetAsync(cluster, cluster.Breaker(BreakerKeys.Global), strategy, account);
    }

    [Fact]
    public async Task Reducing_WithholdsBuysOfALongStrategy_AndSendsSellsOnlyWhileTheyReduceItsPosition()
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "sb-reduce");
        var strategy = await CreateAsync(cluster, "sb-reduce", OrderSide.Buy);
        await BarAsync(cluster, strategy, account);
        var bought = await BarAsync(cluster, strategy, account);
        Assert.Equal(2, bought.IntentsSent);
        Assert.Equal(2m, Own(bought));

        Assert.True((await cluster.Breaker("sb-reduce").TripAsync(TradingState.Reducing, RiskOfficer, "reduce only")).Succeeded);
        var withheld = await WithheldAsync(cluster, strategy, account);
        Assert.Equal(2m, Own(withheld));

        // Now selling one a bar: the two sells that take the long position to flat go, the one after would open a short.
        Assert.True((await strategy.UpdateParametersAsync(Parameters(OrderSide.Sell))).Succeeded);
        var sent = withheld.IntentsSent;
        var first = await BarAsync(cluster, strategy, account);
        var second = await BarAsync(cluster, strategy, account);
        var third = await BarAsync(cluster, strategy, account);

        Assert.Equal((sent + 1, 1m), (first.IntentsSent, Own(first)));
        Assert.Equal((sent + 2, 0m), (second.IntentsSent, Own(second)));
        Assert.Equal((sent + 2, 0m, withheld.IntentsSuppressed + 1), (third.IntentsSent, Own(third), third.IntentsSuppressed));
        Assert.Equal(0m, await HeldAsync(account));

        // Buying again (a cash account cannot sell short): withheld while flat and REDUCING, sent once reset.
        Assert.True((await strategy.UpdateParametersAsync(Parameters(OrderSide.Buy))).Succeeded);
        var flat = await BarAsync(cluster, strategy, account);
        Assert.Equal((third.IntentsSent, third.IntentsSuppressed + 1), (flat.IntentsSent, flat.IntentsSuppressed));
        await TradesAgainAfterResetAsync(cluster, cluster.Breaker("sb-reduce"), strategy, account);
        Assert.Equal(1m, await HeldAsync(account));
    }

    /// <summary>
    /// A crossover allowed to go short reverses with one order for twice its quantity (close, then open the other side).
    /// While REDUCING the whole order would open a position, so it used to be withheld and the strategy stayed in the
    /// position it had: it did not even close it, the one thing REDUCING exists to allow. Now the order goes cut down to
    /// the part that closes the position, long (death cross) and short (golden cross) alike; while ACTIVE a reversal is
    /// still one order for twice the quantity.
    /// </summary>
    [Fact]
    public async Task Reducing_CutsAReversalOfAShortingCrossover_DownToThePartThatClosesItsPosition()
    {
        await using var cluster = await StartAsync();
        var account = await OpenMarginAsync(cluster, "sb-flip");
        var strategy = await CreateShortingCrossoverAsync(cluster, "sb-flip");
        var breaker = cluster.Breaker("sb-flip");

        await BarAsync(cluster, strategy, account, 50m);
        await BarAsync(cluster, strategy, account, 51m);
        Assert.Equal(-5m, Own(await BarAsync(cluster, strategy, account, 50m)));
        var flipped = await BarAsync(cluster, strategy, account, 51m);
        Assert.Equal((5m, 0L), (Own(flipped), flipped.IntentsCutToClose));
        Assert.Equal((OrderSide.Buy, 10m), await LastOrderAsync(account));

        // Long and REDUCING: the death cross's sell of 10 goes for the 5 held; the sell of 5 it then asks for is withheld.
        await ReducingAsync(breaker, strategy, TradingState.Reducing);
        await BarAsync(cluster, strategy, account, 50m);
        var covered = await SuppressedAsync(strategy, flipped.IntentsSuppressed + 1);
        Assert.Equal((0m, 1L, flipped.IntentsSuppressed + 1), (Own(covered), covered.IntentsCutToClose, covered.IntentsSuppressed));
        Assert.Equal((OrderSide.Sell, 5m), await LastOrderAsync(account));

        // Short and REDUCING: the golden cross's buy of 10 goes for the 5 short.
        await ReducingAsync(breaker, strategy, TradingState.Active);
        Assert.Equal(5m, Own(await BarAsync(cluster, strategy, account, 51m)));
        var shortAgain = await BarAsync(cluster, strategy, account, 50m);
        Assert.Equal(-5m, Own(shortAgain));
        Assert.Equal((OrderSide.Sell, 10m), await LastOrderAsync(account));
        await ReducingAsync(breaker, strategy, TradingState.Reducing);
        await BarAsync(cluster, strategy, account, 51m);
        var bought = await SuppressedAsync(strategy, shortAgain.IntentsSuppressed + 1);
        Assert.Equal((0m, 2L, shortAgain.IntentsSuppressed + 1), (Own(bought), bought.IntentsCutToClose, bought.IntentsSuppressed));
        Assert.Equal((OrderSide.Buy, 5m), await LastOrderAsync(account));
        Assert.Equal(0m, await HeldAsync(account));
        Assert.DoesNotContain(await account.GetOrdersAsync(OrderStatusFilter.All, 100, null), o => o.Status == OrderStatus.Denied);
    }

    /// <summary>
    /// The account takes a breaker change at once, but the strategy hears of it only from the account's events, which record
    /// it at the account's next write (here no signal tick or reconciliation brings one). A reversal sent before that went
    /// whole and was refused as reduce-only; the strategy dropped its target, and its position stayed open though closing it
    /// was allowed. Now the closing part is sent again, once, under the next client order id, and the position is closed.
    /// </summary>
    [Fact]
    public async Task Reducing_NotYetHeard_ResendsTheClosingPartOfAReversalTheAccountRefused()
    {
        await using var cluster = await StartAsync(lazyAccount: true);
        var account = await OpenMarginAsync(cluster, "sb-flip-late");
        var strategy = await CreateShortingCrossoverAsync(cluster, "sb-flip-late");
        await BarAsync(cluster, strategy, account, 50m);
        await BarAsync(cluster, strategy, account, 51m);
        await BarAsync(cluster, strategy, account, 50m);
        var flipped = await BarAsync(cluster, strategy, account, 51m);
        Assert.Equal(5m, Own(flipped));

        Assert.True((await cluster.Breaker("sb-flip-late").TripAsync(TradingState.Reducing, RiskOfficer, "reduce only")).Succeeded);
        Assert.DoesNotContain((await account.GetEventsAsync(0, 1000)).Events, e => e.Breaker is { State: TradingState.Reducing });

        // The death cross's sell of 10 goes whole (the strategy holds ACTIVE); refused, its sell of 5 follows.
        var covered = await BarAsync(cluster, strategy, account, 50m);

        Assert.Equal((0m, 1L, flipped.IntentsDenied + 1), (Own(covered), covered.IntentsCutToClose, covered.IntentsDenied));
        var orders = await account.GetOrdersAsync(OrderStatusFilter.All, 100, null);
        var refused = Assert.Single(orders, o => o.Status == OrderStatus.Denied && o.Quantity == 10m);
        Assert.Equal(OrderSide.Sell, refused.Side);
        var resent = Assert.Single(orders, o => o.ClientOrderId == NextClientOrderId(refused.ClientOrderId));
        Assert.Equal((OrderSide.Sell, 5m, OrderStatus.Filled), (resent.Side, resent.Quantity, resent.Status));
        Assert.Equal(0m, await HeldAsync(account));
    }

    /// <summary>
    /// The account records a breaker notice only at its next write (here no signal tick or reconciliation brings one), so a
    /// halt it recorded can be the newest change in its events after the breaker was reset. A strategy started then read
    /// ACTIVE, and its catch-up replayed the older HALTED over it: it withheld every intent of an ACTIVE account.
    /// </summary>
    [Fact]
    public async Task AStrategyStartedAfterAReset_Trades_ThoughItsAccountHasRecordedOnlyTheOlderHalt()
    {
        await using var cluster = await StartAsync(lazyAccount: true);

        // A write of the account's own (its reconciliation at activation can run late on a busy machine) records the reset
        // early and closes the window: such a run proves nothing and is tried again on a new account.
        for (var attempt = 1; ; attempt++)
        {
            var (account, strategy, breaker) = await HaltedAndResetAsync(cluster, $"sb-late-{attempt}");
            if (await LastRecordedAsync(account) != TradingState.Halted)
            {
                Assert.True(attempt < 5, "Every attempt had the reset recorded before the strategy started.");
                continue;
            }

            Assert.True((await strategy.StartAsync()).Succeeded);
            var status = await BarAsync(cluster, strategy, account);

            Assert.Equal((0L, 1L), (status.IntentsSuppressed, status.IntentsSent));
            Assert.Equal(1m, Own(status));
            var events = (await account.GetEventsAsync(0, 1000)).Events;
            var reset = events.Single(e => e.Breaker is { State: TradingState.Active, Version: > 0 }).Sequence;
            var order = events.First(e => e.Kind == AccountEventKind.OrderUpdated).Sequence;
            if (reset > order || attempt == 5)
            {
                // Recorded with the order's write: the strategy placed it while its account had recorded only the halt.
                Assert.True(reset > order, "Every attempt had the reset recorded before the strategy traded.");
                return;
            }
        }
    }

    /// <summary>The other way round: halted again after a reset the account recorded, a strategy started then held ACTIVE.</summary>
    [Fact]
    public async Task AStrategyStartedAfterAHalt_WithholdsItsIntents_ThoughItsAccountHasRecordedOnlyTheOlderReset()
    {
        await using var cluster = await StartAsync(lazyAccount: true);

        // As above, a write of the account's own (its reconciliation at activation, late on a busy machine) can record the
        // second halt early and close the window: such a run proves nothing and is tried again on a new account.
        for (var attempt = 1; ; attempt++)
        {
            var (account, strategy, breaker) = await HaltedAndResetAsync(cluster, $"sb-halt-late-{attempt}");
            await account.RefreshAsync();
            Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "halt again")).Succeeded);
            if (await LastRecordedAsync(account) != TradingState.Active)
            {
                Assert.True(attempt < 5, "Every attempt had the second halt recorded before the strategy started.");
                continue;
            }

            Assert.True((await strategy.StartAsync()).Succeeded);
            var status = await BarAsync(cluster, strategy, account);

            Assert.Equal((1L, 0L, 0L), (status.IntentsSuppressed, status.IntentsSent, status.IntentsDenied));
            Assert.Empty(await account.GetOrdersAsync(OrderStatusFilter.All, 100, null));
            return;
        }
    }

    /// <summary>
    /// Feeds bars until the strategy has heard the breaker (an intent before that goes to the account, which denies it),
    /// then proves every further intent is withheld: counted as suppressed, and no order, not even a denied one, reaches
    /// the account.
    /// </summary>
    private async Task<StrategyStatus> WithheldAsync(TradingCluster cluster, IStrategyGrain strategy, IAccountGrain account)
    {
        var before = (await strategy.GetStatusAsync())!;
        var heard = await Eventually.WaitAsync(() => BarAsync(cluster, strategy, account), s => s.IntentsSuppressed > before.IntentsSuppressed,
            "the strategy to hear the breaker and withhold an intent");
        var orders = (await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null)).Count;

        var status = heard;
        for (var i = 0; i < 3; i++)
        {
            status = await BarAsync(cluster, strategy, account);
        }

        Assert.Equal(heard.IntentsSuppressed + 3, status.IntentsSuppressed);
        Assert.Equal(before.IntentsSent, status.IntentsSent);
        Assert.Equal(Own(before), Own(status));
        var after = await account.GetOrdersAsync(OrderStatusFilter.All, 1000, null);
        Assert.Equal(orders, after.Count);
        Assert.Equal(before.IntentsSent, after.Count(o => o.Status != OrderStatus.Denied));
        return status;
    }

    private async Task TradesAgainAfterResetAsync(TradingCluster cluster, IBreakerGrain breaker, IStrategyGrain strategy, IAccountGrain account)
    {
        var before = (await strategy.GetStatusAsync())!;
        var fills = (await account.GetFillsAsync(0, 1000)).Count;
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).Succeeded);

        var trading = await Eventually.WaitAsync(() => BarAsync(cluster, strategy, account), s => s.IntentsSent > before.IntentsSent,
            "the strategy to hear the reset and send an intent");

        Assert.Equal(before.IntentsSent + 1, trading.IntentsSent);
        Assert.Equal(fills + 1, (await account.GetFillsAsync(0, 1000)).Count);
        Assert.Equal(await HeldAsync(account), Own(trading));
    }

    private static async Task<TradingCluster> StartAsync(bool lazyAccount = false, CapturedLogs? logs = null)
    {
        var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddStrategy(EachBarTrader.Definition);
                if (logs is not null)
                {
                    // Debug kept, so that the repeats are seen to be logged at their level, not merely filtered out.
                    silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
                }

                if (lazyAccount)
                {
                    // No signal tick or reconciliation within the test: the account writes (and records notices) only when asked.
                    silo.Configure<AccountGrainOptions>(o => o.SignalInterval = o.ReconcileInterval = TimeSpan.FromDays(30));
                }
            },
        });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        return cluster;
    }

    /// <summary>
    /// An account with a stopped buying strategy whose breaker was halted, the halt recorded by the account, then reset
    /// (the reset not yet recorded: the account of <see cref="StartAsync"/>'s lazyAccount writes only when asked).
    /// </summary>
    private static async Task<(IAccountGrain Account, IStrategyGrain Strategy, IBreakerGrain Breaker)> HaltedAndResetAsync(TradingCluster cluster, string id)
    {
        var account = await OpenAsync(cluster, id);
        var strategy = await CreateAsync(cluster, id, OrderSide.Buy, start: false);
        var breaker = cluster.Breaker(id);
        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "halt")).Succeeded);
        await account.RefreshAsync();
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)).Succeeded);
        return (account, strategy, breaker);
    }

    private static Task<IAccountGrain> OpenAsync(TradingCluster cluster, string id) =>
        TestAccounts.OpenAsync(cluster, id, 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });

    private static async Task<IAccountGrain> OpenMarginAsync(TradingCluster cluster, string id)
    {
        var account = cluster.Account(id);
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 1_000_000m,
            AccountType = AccountType.Margin,
            RiskLimits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) },
        })).Succeeded);
        return account;
    }

    /// <summary>An SMA crossover of 5 allowed to go short, so it reverses with one order for 10.</summary>
    private static async Task<IStrategyGrain> CreateShortingCrossoverAsync(TradingCluster cluster, string accountId)
    {
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "sma"));
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = [Symbol],
            // SMA(1) against SMA(2): a bar above the one before is a golden cross after a falling one, a bar below a death cross.
            Parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = "1", ["slowPeriod"] = "2", ["allowShort"] = "true" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        return strategy;
    }

    /// <summary>"{strategyId}-{n}" becomes "{strategyId}-{n + 1}", the id the strategy's next order carries.</summary>
    private static string NextClientOrderId(string clientOrderId)
    {
        var dash = clientOrderId.LastIndexOf('-');
        var sequence = long.Parse(clientOrderId[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{clientOrderId[..(dash + 1)]}{sequence + 1}");
    }

    private static async Task<IStrategyGrain> CreateAsync(TradingCluster cluster, string accountId, OrderSide side, bool start = true)
    {
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, "s"));
        var created = await strategy.CreateAsync(new CreateStrategy { Kind = EachBarTrader.Definition.Kind, Symbols = [Symbol], Parameters = Parameters(side), Start = start });
        Assert.True(created.Succeeded, created.Message);
        return strategy;
    }

    private static Dictionary<string, string> Parameters(OrderSide side) => new() { ["side"] = side == OrderSide.Buy ? "buy" : "sell" };

    /// <summary>
    /// Publishes the next minute bar and waits until the strategy took it and what it sent has settled: the account holds
    /// no working order and the strategy's own position is the account's (it is the account's only trader).
    /// </summary>
    private async Task<StrategyStatus> BarAsync(TradingCluster cluster, IStrategyGrain strategy, IAccountGrain account, decimal close = 50m)
    {
        var seen = (await strategy.GetStatusAsync())!.BarsSeen;
        var bar = new Bar(Symbol, _firstBar.AddMinutes(_bars++), TimeSpan.FromMinutes(1), close, close, close, close, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.BarsSeen, n => n > seen, "the strategy to take the bar");
        var settled = await Eventually.WaitAsync(
            async () => (Status: (await strategy.GetStatusAsync())!, Open: (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Count, Held: await HeldAsync(account)),
            s => s.Open == 0 && Own(s.Status) == s.Held, "the strategy's order to settle");
        return settled.Status;
    }

    /// <summary>Trips or resets the breaker, then restarts the strategy, which reads the breakers as it starts: no bar goes by unheard.</summary>
    private static async Task ReducingAsync(IBreakerGrain breaker, IStrategyGrain strategy, TradingState state)
    {
        var changed = state == TradingState.Active
            ? await breaker.ResetAsync(TradingState.Active, RiskOfficer, "all clear", force: false)
            : await breaker.TripAsync(state, RiskOfficer, "reduce only");
        Assert.True(changed.Succeeded);
        Assert.True((await strategy.StopAsync()).Succeeded);
        Assert.True((await strategy.StartAsync()).Succeeded);
    }

    /// <summary>The order the strategy asked for last (client order ids end in the strategy's sequence).</summary>
    private static async Task<(OrderSide Side, decimal Quantity)> LastOrderAsync(IAccountGrain account)
    {
        var last = (await account.GetOrdersAsync(OrderStatusFilter.All, 100, null))
            .MaxBy(o => long.Parse(o.ClientOrderId[(o.ClientOrderId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture))!;
        return (last.Side, last.Quantity);
    }

    /// <summary>
    /// The strategy's status once it has withheld the given number of intents: the one it asks for after its order filled
    /// comes with the order's Filled update, which can follow the fill the bar's wait settled on.
    /// </summary>
    private static async Task<StrategyStatus> SuppressedAsync(IStrategyGrain strategy, long suppressed) =>
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.IntentsSuppressed >= suppressed,
            "the strategy to withhold the rest of its target");

    private static DateTimeOffset StartOfMinute(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static decimal Own(StrategyStatus status) => status.Positions.SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;

    private static async Task<decimal> HeldAsync(IAccountGrain account) =>
        (await account.GetPositionsAsync()).SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;

    private static async Task<TradingState> LastRecordedAsync(IAccountGrain account) =>
        (await account.GetEventsAsync(0, 1000)).Events.Last(e => e.Kind == AccountEventKind.BreakerChanged).Breaker!.State;

    /// <summary>Sends one market order of one share on every bar, its side a parameter.</summary>
    private sealed class EachBarTrader(OrderSide side) : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "each-bar-trader",
            ParameterNames = ["side"],
            StateType = typeof(EachBarTraderState),
            Create = setup => new EachBarTrader(setup.RequiredString("side") == "sell" ? OrderSide.Sell : OrderSide.Buy),
        };

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar) =>
            Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = side, Quantity = 1m, Reason = "every bar" });

        public override StrategyState GetState() => new EachBarTraderState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record EachBarTraderState : StrategyState;
}
