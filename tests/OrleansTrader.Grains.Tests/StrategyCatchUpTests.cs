using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A strategy whose stored position in its account's events is past the account's newest event (the account's storage
/// reset or restored from an older backup) resyncs from the account's history instead of ignoring every event up to it.
/// </summary>
public sealed class StrategyCatchUpTests
{
    private const string Symbol = "SCU";
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private readonly DateTimeOffset _firstBar = StartOfMinute(TimeProvider.System.GetUtcNow().AddHours(-2));
    private int _bars;

    [Fact]
    public async Task APositionPastTheAccountsNewestEvent_IsResyncedFromTheAccount_AndItsNextFillsAreItsPosition()
    {
        var storage = new WriteFailingStorage("strategy");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(EachBarBuyer.Definition);
            },
        });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "scu", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("scu", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = EachBarBuyer.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = true })).Succeeded);
        Assert.Equal(1m, Own(await BarAsync(cluster, strategy, account)));

        // The account restored from an older backup: the strategy followed its events further, and its record says 5 shares,
        // 4 of them from fills the account no longer has.
        var id = GrainId.Create(typeof(StrategyGrain).FullName!, StrategyKey.Create("scu", "s"));
        var stored = new GrainState<StrategyGrainState>(new StrategyGrainState());
        await storage.ReadStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        stored.State.LastAccountEventSequence = 1_000;
        stored.State.Positions[Symbol] = Position.Flat(Symbol).Apply(5m, 50m, 0m).Position;
        await storage.WriteStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("scu");
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("scu", "s"));
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);

        // Resynced at activation: its position is what the account's history says of its orders.
        var resumed = (await strategy.GetStatusAsync())!;
        Assert.True(resumed.Running);
        Assert.Equal(1m, Own(resumed));
        Assert.Contains("past the account's newest", resumed.LastError, StringComparison.Ordinal);

        // Its next fill is heard (it was ignored until the account's sequence passed 1000), and its position is the account's.
        var traded = await BarAsync(cluster, strategy, account);
        Assert.Equal(2m, Own(traded));
        Assert.Equal(2m, await HeldAsync(account));
    }

    [Fact]
    public async Task AnAccountResetWhileTheStrategyRuns_IsResyncedOnItsNextEvent_AndItsFillsAreItsPosition()
    {
        var storage = new ResettableStorage();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(EachBarBuyer.Definition);
            },
        });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var limits = TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) };
        var account = await TestAccounts.OpenAsync(cluster, "scr", 1_000_000m, limits);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("scr", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = EachBarBuyer.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = true })).Succeeded);
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(i, Own(await BarAsync(cluster, strategy, account)));
        }

        // The account's storage wiped while the strategy keeps running: the account's next write conflicts and its activation
        // goes; opened again, its events number from the start, below the sequence the strategy follows.
        var followed = (await account.GetEventsAsync(long.MaxValue - 1, 0)).LastSequence;
        await storage.ResetAsync(GrainId.Create(typeof(Accounts.AccountGrain).FullName!, "scr"));
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => account.SetRiskLimitsAsync(limits));
        account = await TestAccounts.OpenAsync(cluster, "scr", 1_000_000m, limits);
        Assert.True((await account.GetEventsAsync(long.MaxValue - 1, 0)).LastSequence < followed);

        // The reopened account took back the paper broker's fills of the strategy's orders, orders it does not know, and
        // went REDUCING on them. The strategy hears that (its first event below the sequence it follows) and resyncs its
        // position from the account's new history: the three shares, not counted again.
        var breaker = cluster.Breaker("scr");
        await Eventually.WaitAsync(async () => (await breaker.GetStateAsync()).State, s => s == TradingState.Reducing, "the reopened account to go REDUCING");
        var resynced = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.LastError?.Contains("past the account's newest", StringComparison.Ordinal) == true,
            "the strategy to resync from the reset account");
        Assert.Equal(3m, Own(resynced));

        // Reset by the risk officer: its next orders are placed, filled, and its own position is the account's.
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "account restored, fills reviewed", force: false)).Succeeded);
        var traded = await Eventually.WaitAsync(() => BarAsync(cluster, strategy, account), s => s.IntentsSent > resynced.IntentsSent,
            "the strategy to hear the reset and send an order");
        Assert.Equal(4m, Own(traded));
        Assert.Equal(4m, await HeldAsync(account));
        Assert.Equal(5m, Own(await BarAsync(cluster, strategy, account)));
        Assert.Equal(5m, await HeldAsync(account));
    }

    [Fact]
    public async Task AResyncFromTheAccountsHistory_GivesTheStrategyEachFillOnce()
    {
        var storage = new WriteFailingStorage("strategy");
        var fills = new FillRecorder();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddStrategy(fills.Definition);
            },
        });
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var account = await TestAccounts.OpenAsync(cluster, "sco", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("sco", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = fills.Definition.Kind, Symbols = [Symbol], Parameters = new Dictionary<string, string>(), Start = true })).Succeeded);
        await BarAsync(cluster, strategy, account);
        await BarAsync(cluster, strategy, account);
        Assert.Equal(2, fills.Seen.Distinct().Count());

        // The account restored from an older backup (its history ends before the strategy's position): the resync rebuilds
        // the position from the fills the strategy already had, which it must not be told of again.
        var id = GrainId.Create(typeof(StrategyGrain).FullName!, StrategyKey.Create("sco", "s"));
        var stored = await Eventually.WaitAsync(
            async () =>
            {
                var read = new GrainState<StrategyGrainState>(new StrategyGrainState());
                await storage.ReadStateAsync("strategy", id, read, TestContext.Current.CancellationToken);
                return read;
            },
            s => s.State.Fills == 2, "the strategy's state saved with both fills");
        stored.State.LastAccountEventSequence = 1_000;
        await storage.WriteStateAsync("strategy", id, stored, TestContext.Current.CancellationToken);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("sco");
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("sco", "s"));
        await Market.QuoteAsync(cluster, Symbol, 50m, 50m);
        var resumed = (await strategy.GetStatusAsync())!;
        Assert.Contains("past the account's newest", resumed.LastError, StringComparison.Ordinal);
        Assert.Equal(2m, Own(resumed));

        // A new fill after the resync is told once too.
        Assert.Equal(3m, Own(await BarAsync(cluster, strategy, account)));
        Assert.Equal(3, fills.Seen.Count);
        Assert.Equal(3, fills.Seen.Distinct().Count());
    }

    /// <summary>Publishes the next minute bar and waits until the strategy took it and its order has settled at the account.</summary>
    private async Task<StrategyStatus> BarAsync(TradingCluster cluster, IStrategyGrain strategy, IAccountGrain account)
    {
        var seen = (await strategy.GetStatusAsync())!.BarsSeen;
        var bar = new Bar(Symbol, _firstBar.AddMinutes(_bars++), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 1_000m);
        Assert.Equal(1, (await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [bar] })).Accepted);
        await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!.BarsSeen, n => n > seen, "the strategy to take the bar");
        var settled = await Eventually.WaitAsync(
            async () => (Status: (await strategy.GetStatusAsync())!, Open: (await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null)).Count, Held: await HeldAsync(account)),
            s => s.Open == 0 && Own(s.Status) == s.Held, "the strategy's own position to be the account's");
        return settled.Status;
    }

    private static DateTimeOffset StartOfMinute(DateTimeOffset at) => new(at.Ticks - at.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static decimal Own(StrategyStatus status) => status.Positions.SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;

    private static async Task<decimal> HeldAsync(IAccountGrain account) =>
        (await account.GetPositionsAsync()).SingleOrDefault(p => p.Symbol == Symbol)?.Quantity ?? 0m;

    /// <summary>Buys one share at market on every bar.</summary>
    private sealed class EachBarBuyer : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "each-bar-buyer",
            ParameterNames = [],
            StateType = typeof(EachBarBuyerState),
            Create = _ => new EachBarBuyer(),
        };

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar) =>
            Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "every bar" });

        public override StrategyState GetState() => new EachBarBuyerState();

        public override void Restore(StrategyState state)
        {
        }
    }

    private sealed record EachBarBuyerState : StrategyState;

    /// <summary>An each-bar buyer that records the execution ids its OnFill was given, across restarts of the silo.</summary>
    private sealed class FillRecorder
    {
        public FillRecorder()
        {
            Definition = new StrategyDefinition
            {
                Kind = "fill-recorder",
                ParameterNames = [],
                StateType = typeof(EachBarBuyerState),
                Create = _ => new Recording(this),
            };
        }

        public StrategyDefinition Definition { get; }

        public List<string> Seen { get; } = [];

        private sealed class Recording(FillRecorder recorder) : StrategyBase
        {
            public override string Kind => recorder.Definition.Kind;

            public override void OnBar(Bar bar) =>
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Reason = "every bar" });

            public override void OnFill(Execution execution)
            {
                lock (recorder.Seen)
                {
                    recorder.Seen.Add(execution.ExecutionId);
                }
            }

            public override StrategyState GetState() => new EachBarBuyerState();

            public override void Restore(StrategyState state)
            {
            }
        }
    }
}
