using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>The trading grains' instruments, each read through a MeterListener bound to a private silo.</summary>
public sealed class GrainsMetricsTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    [Fact]
    public async Task Fills_CountEachExecutionOnce_AndNotARedeliveredOne()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        using var fills = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.fills");
        using var notional = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.fills.notional");
        await Market.QuoteAsync(cluster, "MFL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "metrics-fills", 100_000m);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await account.PlaceOrderAsync(Market.MarketOrder($"mf-{i}", "MFL", OrderSide.Buy, 7m))).Succeeded);
        }

        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100), f => f.Count == 3, "3 fills");
        var firstCount = fills.Sum("broker=paper,side=buy");
        var log = ((DurableStreamProvider)cluster.Cluster.Client.GetStreamProvider(StreamNames.DurableProvider)).Log;
        var stream = StreamId.Create(StreamNames.Fills, "metrics-fills");
        var stored = await log.ReadStreamAsync(stream, 0, 1_000, Ct);
        await log.AppendAsync(stream, [.. stored.Select(e => e.Payload)], TimeProvider.System.GetUtcNow(), Ct);
        var consumer = GrainId.Create(typeof(Accounts.AccountGrain).FullName!, "metrics-fills").ToString();
        await Eventually.WaitAsync(() => log.GetCheckpointAsync(stream, consumer, Ct), c => c == stored[^1].Sequence * 2, "the redelivered reports to be consumed");

        Assert.Equal(3, firstCount);
        Assert.Equal(3, fills.Sum("broker=paper,side=buy"));
        Assert.Equal(0, fills.Sum("broker=paper,side=sell"));
        Assert.Equal(210d, notional.Sum("broker=paper,currency=USD,side=buy"));
        Assert.Equal(3, (await account.GetFillsAsync(0, 100)).Count);
    }

    [Fact]
    public async Task BreakerState_MovesOnTripAndReset_AndCountsTransitions()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        using var states = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.breaker.state");
        using var transitions = new InstrumentReader(cluster.Cluster.ServiceProvider, "orleanstrader.breaker.transitions");
        await TestAccounts.OpenAsync(cluster, "metrics-breaker", 10_000m);
        var breaker = cluster.Breaker("metrics-breaker");
        var beforeTrip = states.Observe();

        Assert.True((await breaker.TripAsync(TradingState.Halted, RiskOfficer, "manual halt")).Succeeded);
        var afterTrip = states.Observe();
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "reviewed", force: true)).Succeeded);
        var afterReset = states.Observe();

        Assert.Equal(1, beforeTrip["scope=account,state=active"]);
        Assert.Equal(0, beforeTrip["scope=account,state=halted"]);
        Assert.Equal(0, afterTrip["scope=account,state=active"]);
        Assert.Equal(1, afterTrip["scope=account,state=halted"]);
        Assert.Equal(1, afterReset["scope=account,state=active"]);
        Assert.Equal(0, afterReset["scope=account,state=halted"]);
        Assert.Equal(6, afterReset.Count);
        Assert.Equal(1, transitions.Sum("from=active,scope=account,to=halted,trigger=manual"));
        Assert.Equal(1, transitions.Sum("from=halted,scope=account,to=active,trigger=reset"));
    }

    [Fact]
    public async Task BreakerState_CountsATrippedBreakerUntilItDeactivates()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());
        var metrics = cluster.Cluster.ServiceProvider.GetRequiredService<GrainsMetrics>();
        await TestAccounts.OpenAsync(cluster, "metrics-stop", 10_000m);
        Assert.True((await cluster.Breaker(BreakerKeys.Global).TripAsync(TradingState.Reducing, RiskOfficer, "reduce all")).Succeeded);
        var tripped = Read(metrics);

        await cluster.Cluster.StopAllSilosAsync(Ct);

        Assert.Equal(1, tripped["scope=global,state=reducing"]);
        Assert.Equal(0, tripped["scope=global,state=active"]);
        Assert.Equal(1, tripped["scope=account,state=active"]);
        Assert.All(Read(metrics), m => Assert.Equal(0, m.Value));
    }

    private static Dictionary<string, long> Read(GrainsMetrics metrics) =>
        metrics.ObserveBreakers().ToDictionary(
            m => string.Join(',', m.Tags.ToArray().Select(t => $"{t.Key}={t.Value}").Order(StringComparer.Ordinal)),
            m => m.Value,
            StringComparer.Ordinal);
}
