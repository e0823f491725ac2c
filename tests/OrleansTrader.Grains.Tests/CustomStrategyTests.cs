using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;
using OrleansTrader.MarketData.Synthetic;

namespace OrleansTrader.Grains.Tests;

/// <summary>A strategy kind registered with the silo (AddStrategy) runs like a built-in one and resumes from its own snapshot.</summary>
public sealed class CustomStrategyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task ARegisteredKind_TradesItsTwoSymbols_AndResumesFromItsSnapshotAfterARestart()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = _dir.File("custom-strategy.db"),
            ConfigureSilo = silo => silo.Services.AddStrategy(FirstBarBuyer.Definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "custom", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("custom", "pair"));

        var unknown = await cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("custom", "other"))
            .CreateAsync(new CreateStrategy { Kind = "no-such-kind", Symbols = ["AAA"] });
        Assert.Equal(StrategyErrorCodes.UnknownKind, unknown.ErrorCode);
        Assert.Contains("first-bar-buyer", unknown.Message, StringComparison.Ordinal);
        var tooMany = await cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("custom", "other"))
            .CreateAsync(new CreateStrategy { Kind = "first-bar-buyer", Symbols = ["AAA", "BBB", "CCC"], Parameters = new Dictionary<string, string> { ["quantity"] = "3" } });
        Assert.Equal(StrategyErrorCodes.InvalidParameters, tooMany.ErrorCode);

        await StartAndTradeAsync(cluster, strategy, account);
        var before = (await strategy.GetStatusAsync())!;
        Assert.Equal(2, before.IntentsSent);

        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("custom", "pair"));
        account = cluster.Account("custom");

        // The snapshot says both symbols were bought: the strategy resumes and buys nothing more on new bars.
        Assert.True((await strategy.GetStatusAsync())!.Running);
        await FeedAsync(cluster, TimeProvider.System.GetUtcNow().AddMinutes(5));
        var after = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.BarsSeen > before.BarsSeen + 10,
            "the restarted strategy to see new bars", TimeSpan.FromSeconds(30));
        Assert.Null(after.LastError);
        Assert.Equal(2, after.IntentsSent);
        Assert.Equal(2, (await account.GetOrdersAsync(OrderStatusFilter.All, 100, null)).Count);
        await WaitForPositionsAsync(account);
    }

    [Fact]
    public async Task ASnapshotThatNoLongerReads_StopsTheStrategyWithTheReason_InsteadOfTradingFromNothing()
    {
        var definition = FirstBarBuyer.Definition;
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = _dir.File("changed-state.db"),
            ConfigureSilo = silo => silo.Services.AddStrategy(definition),
        });
        var account = await TestAccounts.OpenAsync(cluster, "changed", 1_000_000m, TestAccounts.Loose with { MaxQuoteAge = TimeSpan.FromDays(1) });
        await StartAndTradeAsync(cluster, cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("changed", "pair")), account);

        // The next build of the strategy changed its state type: the stored snapshot lacks a required member.
        definition = definition with { StateType = typeof(ChangedState) };
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);

        var status = (await cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("changed", "pair")).GetStatusAsync())!;
        Assert.False(status.Running);
        Assert.Contains("no longer reads", status.LastError, StringComparison.Ordinal);
        await FeedAsync(cluster, TimeProvider.System.GetUtcNow().AddMinutes(5));
        Assert.Equal(2, (await cluster.Account("changed").GetOrdersAsync(OrderStatusFilter.All, 100, null)).Count);

        // The snapshot is kept, so starting again stops again; new parameters discard it and the next start is fresh.
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("changed", "pair"));
        Assert.False((await strategy.StartAsync()).Status!.Running);
        Assert.True((await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["quantity"] = "2" })).Succeeded);
        var restarted = await strategy.StartAsync();
        Assert.True(restarted.Status!.Running, restarted.Status.LastError);
    }

    [Fact]
    public async Task ARegisteredKindThatThrows_IsRecordedAndKeepsGettingBars()
    {
        var throwing = FirstBarBuyer.Definition with { Kind = "always-throws", Create = _ => new ThrowingStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(throwing) });
        using var failures = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.strategy.failures");
        await TestAccounts.OpenAsync(cluster, "thrower", 1_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("thrower", "t"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = "always-throws", Symbols = ["AAA"], BarInterval = TimeSpan.FromSeconds(1), Start = true })).Succeeded);

        await FeedAsync(cluster, TimeProvider.System.GetUtcNow());

        var status = await Eventually.WaitAsync(async () => (await strategy.GetStatusAsync())!, s => s.BarsSeen >= 10, "bars to keep arriving");
        Assert.True(status.Running);
        Assert.Equal("no bar for you", status.LastError);

        // Each bar it threw on is counted by its kind (a log line and lastError alone said so before, no metric moved).
        var counted = failures.Sum("kind=always-throws");
        Assert.True(counted >= status.BarsSeen, $"{counted} failures counted for {status.BarsSeen} bars seen");
        Assert.Equal(counted, failures.Total());
    }

    [Fact]
    public async Task ARegisteredKindWhoseStartThrows_IsStoppedWithTheReason_AndCanBeDeleted_NotFailingEveryCall()
    {
        var throwing = FirstBarBuyer.Definition with { Kind = "start-throws", Create = _ => new StartThrowingStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(throwing) });
        await TestAccounts.OpenAsync(cluster, "nostart", 1_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("nostart", "s"));

        var created = await strategy.CreateAsync(new CreateStrategy { Kind = "start-throws", Symbols = ["AAA"], Start = true });

        Assert.True(created.Succeeded, created.Message);
        Assert.False(created.Status!.Running);
        Assert.Contains("no start for you", created.Status.LastError, StringComparison.Ordinal);
        Assert.False((await strategy.GetStatusAsync())!.Running);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
    }

    [Fact]
    public async Task ARegisteredKindWhoseStopThrows_IsStillStoppedAndDeleted_WithTheReasonKept()
    {
        var throwing = FirstBarBuyer.Definition with { Kind = "stop-throws", Create = _ => new StopThrowingStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(throwing) });
        await TestAccounts.OpenAsync(cluster, "nostop", 1_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("nostop", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = "stop-throws", Symbols = ["AAA"], Start = true })).Status!.Running);

        // OnStop is a handler like the others: what it throws is recorded, and the user can still stop the strategy.
        var stopped = await strategy.StopAsync();

        Assert.True(stopped.Succeeded, stopped.Message);
        Assert.False(stopped.Status!.Running);
        Assert.Equal("no stop for you", stopped.Status.LastError);
        Assert.True((await strategy.StartAsync()).Status!.Running);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
        Assert.Null(await strategy.GetStatusAsync());
    }

    [Fact]
    public async Task ARegisteredKindWhoseGetStateThrows_IsStillStoppedAndDeleted_WithTheReasonKept()
    {
        var throwing = FirstBarBuyer.Definition with { Kind = "state-throws", Create = _ => new StateThrowingStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(throwing) });
        await TestAccounts.OpenAsync(cluster, "nostate", 1_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("nostate", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = "state-throws", Symbols = ["AAA"], Start = true })).Status!.Running);

        // The stop saves the strategy's snapshot: a GetState that throws is recorded like a handler's exception.
        var stopped = await strategy.StopAsync();

        Assert.True(stopped.Succeeded, stopped.Message);
        Assert.False(stopped.Status!.Running);
        Assert.Contains("no state for you", stopped.Status.LastError, StringComparison.Ordinal);
        Assert.True((await strategy.StartAsync()).Status!.Running);
        Assert.True((await strategy.UpdateParametersAsync(new Dictionary<string, string> { ["quantity"] = "2" })).Succeeded);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
        Assert.Null(await strategy.GetStatusAsync());
    }

    [Fact]
    public async Task ARegisteredKindWhoseRestoreThrows_IsStoppedWithTheReason_NotFailingTheStart()
    {
        var throwing = FirstBarBuyer.Definition with { Kind = "restore-throws", Create = _ => new RestoreThrowingStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(throwing) });
        await TestAccounts.OpenAsync(cluster, "norestore", 1_000m);
        var strategy = cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("norestore", "s"));
        Assert.True((await strategy.CreateAsync(new CreateStrategy { Kind = "restore-throws", Symbols = ["AAA"], Start = true })).Status!.Running);
        Assert.True((await strategy.StopAsync()).Succeeded);

        // Started again from its snapshot, whose restore throws something other than a JSON or cast error.
        var started = await strategy.StartAsync();

        Assert.False(started.Status!.Running);
        Assert.Contains("no restore for you", started.Status.LastError, StringComparison.Ordinal);
        Assert.True((await strategy.DeleteAsync()).Succeeded);
    }

    [Fact]
    public async Task ARegisteredKindWhoseFactoryFails_IsRefusedWithTheReason_NotWithAnException()
    {
        var broken = FirstBarBuyer.Definition with { Kind = "broken-factory", Create = _ => throw new NullReferenceException("a bug in the factory") };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { ConfigureSilo = silo => silo.Services.AddStrategy(broken) });
        await TestAccounts.OpenAsync(cluster, "broken", 1_000m);

        var refused = await cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create("broken", "b"))
            .CreateAsync(new CreateStrategy { Kind = "broken-factory", Symbols = ["AAA"] });

        Assert.False(refused.Succeeded);
        Assert.Equal(StrategyErrorCodes.InvalidParameters, refused.ErrorCode);
        Assert.Contains("a bug in the factory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARunningStrategy_IsBackAsSoonAsTheSiloHasRestarted_NotAtItsReminderMinutesLater()
    {
        var signalling = FirstBarBuyer.Definition with { Kind = "start-signal", Create = _ => new StartSignalStrategy() };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            SqlitePath = _dir.File("resume.db"),
            ConfigureSilo = silo => silo.Services.AddStrategy(signalling),
        });
        await TestAccounts.OpenAsync(cluster, "resume", 1_000m);
        var key = StrategyKey.Create("resume", "s");
        Assert.True((await cluster.Grains.GetGrain<IStrategyGrain>(key).CreateAsync(new CreateStrategy { Kind = "start-signal", Symbols = ["AAA"], Start = true })).Succeeded);
        await StartSignalStrategy.WaitAsync(key, 1);

        // Nothing calls the strategy after the restart: the silo itself brings it back (its reminder's first tick is a minute
        // after it started, far past this wait).
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);

        await StartSignalStrategy.WaitAsync(key, 2);
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>Starts a first-bar-buyer on AAA and BBB (3 each) and feeds the market until it holds both positions.</summary>
    private static async Task StartAndTradeAsync(TradingCluster cluster, IStrategyGrain strategy, IAccountGrain account)
    {
        var created = await strategy.CreateAsync(new CreateStrategy
        {
            Kind = "first-bar-buyer",
            Symbols = ["AAA", "BBB"],
            BarInterval = TimeSpan.FromSeconds(1),
            Parameters = new Dictionary<string, string> { ["quantity"] = "3" },
            Start = true,
        });
        Assert.True(created.Succeeded, created.Message);
        await FeedAsync(cluster, TimeProvider.System.GetUtcNow());
        await WaitForPositionsAsync(account);
    }

    private static async Task FeedAsync(TradingCluster cluster, DateTimeOffset start)
    {
        var options = new SyntheticFeedOptions { Seed = 11, Paced = false, MaxSteps = 30, StartTime = start, TickInterval = TimeSpan.FromSeconds(1) };
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "AAA", StartPrice = 50m, Volatility = 0.3 });
        options.Symbols.Add(new SyntheticSymbolOptions { Symbol = "BBB", StartPrice = 80m, Volatility = 0.3 });
        var feed = new SyntheticFeed(options, TimeProvider.System, NullLogger.Instance);
        await FeedReplay.RunAsync(cluster, feed.ReadAsync(TestContext.Current.CancellationToken));
    }

    private static Task WaitForPositionsAsync(IAccountGrain account) =>
        Eventually.WaitAsync(account.GetPositionsAsync,
            positions => positions.Count == 2 && positions.All(p => p.Quantity == 3m) && positions.Select(p => p.Symbol).Order().SequenceEqual(["AAA", "BBB"]),
            "a position of 3 in each symbol", TimeSpan.FromSeconds(30));

    /// <summary>Buys a fixed quantity of each of its symbols on that symbol's first bar, once for its whole life.</summary>
    private sealed class FirstBarBuyer(decimal quantity) : StrategyBase
    {
        public static readonly StrategyDefinition Definition = new()
        {
            Kind = "first-bar-buyer",
            ParameterNames = ["quantity"],
            MaxSymbols = 2,
            StateType = typeof(FirstBarBuyerState),
            Create = setup => new FirstBarBuyer(setup.RequiredDecimal("quantity")),
        };

        private readonly HashSet<string> _bought = new(StringComparer.Ordinal);

        public override string Kind => Definition.Kind;

        public override void OnBar(Bar bar)
        {
            if (!_bought.Contains(bar.Symbol) && !Context.HasOpenOrder(bar.Symbol))
            {
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = quantity, Reason = "first bar" });
                _bought.Add(bar.Symbol);
            }
        }

        public override StrategyState GetState() => new FirstBarBuyerState { Bought = [.. _bought.Order(StringComparer.Ordinal)] };

        public override void Restore(StrategyState state)
        {
            _bought.Clear();
            _bought.UnionWith(((FirstBarBuyerState)state).Bought);
        }
    }

    private sealed record FirstBarBuyerState : StrategyState
    {
        public List<string> Bought { get; init; } = [];
    }

    private sealed record ChangedState : StrategyState
    {
        public required int Generation { get; init; }
    }

    /// <summary>A bug in a registered kind: every bar throws something no built-in strategy throws.</summary>
    private sealed class ThrowingStrategy : StrategyBase
    {
        public override string Kind => "always-throws";

        public override void OnBar(Bar bar) => throw new KeyNotFoundException("no bar for you");

        public override StrategyState GetState() => new FirstBarBuyerState();

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>A bug in a registered kind's start.</summary>
    private sealed class StartThrowingStrategy : StrategyBase
    {
        public override string Kind => "start-throws";

        public override StrategyState GetState() => new FirstBarBuyerState();

        public override void Restore(StrategyState state)
        {
        }

        protected override void OnStarted() => throw new NullReferenceException("no start for you");
    }

    /// <summary>A bug in a registered kind's stop.</summary>
    private sealed class StopThrowingStrategy : StrategyBase
    {
        public override string Kind => "stop-throws";

        public override void OnStop() => throw new InvalidOperationException("no stop for you");

        public override StrategyState GetState() => new FirstBarBuyerState();

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>A bug in a registered kind's snapshot.</summary>
    private sealed class StateThrowingStrategy : StrategyBase
    {
        public override string Kind => "state-throws";

        public override StrategyState GetState() => throw new InvalidOperationException("no state for you");

        public override void Restore(StrategyState state)
        {
        }
    }

    /// <summary>A bug in a registered kind's restore (a member its snapshot lacks, dereferenced).</summary>
    private sealed class RestoreThrowingStrategy : StrategyBase
    {
        public override string Kind => "restore-throws";

        public override StrategyState GetState() => new FirstBarBuyerState();

        public override void Restore(StrategyState state) => throw new NullReferenceException("no restore for you");
    }

    /// <summary>Counts its starts per strategy, which a test waits for without calling the grain (a call would activate it).</summary>
    private sealed class StartSignalStrategy : StrategyBase
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Starts = new(StringComparer.Ordinal);

        public override string Kind => "start-signal";

        public static Task WaitAsync(string strategyKey, int starts) =>
            Eventually.WaitAsync(() => Task.FromResult(Starts.GetValueOrDefault(strategyKey)), n => n >= starts,
                $"strategy {strategyKey} to have started {starts} times", TimeSpan.FromSeconds(15));

        protected override void OnStarted() => Starts.AddOrUpdate("resume/" + Context.StrategyId, 1, (_, n) => n + 1);

        public override StrategyState GetState() => new FirstBarBuyerState();

        public override void Restore(StrategyState state)
        {
        }
    }
}
