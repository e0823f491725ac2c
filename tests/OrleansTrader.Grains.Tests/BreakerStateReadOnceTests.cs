using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A placement reads the breaker's state once for its decision: breaker notices run on another thread beside the turn, so a
/// reset landing between two reads had the order judged under ACTIVE while the trip recheck compared with the REDUCING read
/// first, and a re-trip during the write then let an order that opens a position reach the venue under REDUCING.
/// </summary>
public sealed class BreakerStateReadOnceTests
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly BreakerActor Trader = new("trader", HasRiskRole: false);

    [Fact]
    public async Task AResetAndARetripDuringAPlacementUnderReducing_KeepAnOpeningOrderFromTheVenue()
    {
        const string accountId = "reset-retrip-placement";
        var storage = new GatedStorage("account");
        var brokers = new ShapeCheckGate();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = new FakeTimeProvider(AccountUnsentOrderTests.Monday),
            ConfigureSilo = silo =>
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                silo.Services.AddSingleton<IBrokerClientFactory>(sp => brokers.Over(ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp)));
                silo.Configure<AccountGrainOptions>(o =>
                {
                    o.SignalInterval = TimeSpan.FromDays(30);
                    o.ReconcileInterval = TimeSpan.FromDays(30);
                });
            },
        });
        await Market.QuoteAsync(cluster, "RRP", 20m, 20.02m);
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        var breaker = cluster.Breaker(accountId);
        Assert.True((await breaker.TripAsync(TradingState.Reducing, Trader, "reduce")).Succeeded);

        // The placement has read REDUCING and waits in the venue's shape check, before its risk check: the reset lands there.
        var checking = brokers.HoldNextShapeCheck();
        var placing = account.PlaceOrderAsync(Market.MarketOrder("rrp-open", "RRP", OrderSide.Buy, 10m));
        await checking;
        Assert.True((await breaker.ResetAsync(TradingState.Active, RiskOfficer, "reviewed", force: true)).Succeeded);

        // Then the trip again, acknowledged while the placement's write is held.
        var written = storage.HoldNextWrite();
        brokers.Release();
        await written;
        Assert.True((await breaker.TripAsync(TradingState.Reducing, Trader, "reduce again")).Succeeded);
        storage.Release();
        var placed = await placing;

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<PaperExchange>().GetClient(accountId);
        Assert.Null(await venue.GetOrderByClientOrderIdAsync("rrp-open", TestContext.Current.CancellationToken));
        Assert.Equal(RiskReasonCodes.ReduceOnlyWouldIncreasePosition, placed.Denial?.ReasonCode);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
    }

    /// <summary>Broker clients whose next shape check blocks its thread until released (the check is synchronous).</summary>
    private sealed class ShapeCheckGate
    {
        private readonly ManualResetEventSlim _release = new();
        private TaskCompletionSource? _entered;

        public IBrokerClientFactory Over(IBrokerClientFactory inner) => new WrappingBrokerClientFactory(inner, client => new Client(this, client));

        /// <summary>Arms the gate; the task completes when the next shape check is waiting at it.</summary>
        public Task HoldNextShapeCheck()
        {
            _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _entered.Task;
        }

        public void Release() => _release.Set();

        private void Pass()
        {
            if (Interlocked.Exchange(ref _entered, null) is { } entered)
            {
                entered.SetResult();

                // Bounded, so a broken test fails instead of holding a pool thread for ever.
                Assert.True(_release.Wait(TimeSpan.FromSeconds(30)), "the shape check's gate was never released");
            }
        }

        private sealed class Client(ShapeCheckGate gate, IBrokerClient inner) : ForwardingBrokerClient(inner)
        {
            public override DomainError? CheckOrderShape(OrderRequest request)
            {
                gate.Pass();
                return base.CheckOrderShape(request);
            }
        }
    }
}
