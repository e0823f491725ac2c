using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>The journal of refused replaces: the attempt, its reason and the order as it was.</summary>
public sealed class ReplaceDenialJournalTests : IDisposable
{
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // The journal holds every order state change with the risk decision that admitted or denied it (ARCHITECTURE.md,
    // docs/grains.md). A denied placement is journaled; a refused replace wrote nothing, so the audit trail could not show
    // that someone tried to replace a working order (while HALTED, say) and was refused, nor why. Every attempt is one
    // entry, written in the refusing turn (it survives a restart), and the order is left as it was.
    [Fact]
    public async Task ARefusedReplace_IsJournaledWithItsReason_AndLeavesTheOrderAsItWas()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, SqlitePath = _dir.File("replace-denied.db") });
        var account = await TestAccounts.OpenAsync(cluster, "replace-denied", 100_000m);
        await Market.QuoteAsync(cluster, "RDJ", 50m, 50m);
        var placed = await account.PlaceOrderAsync(Market.Limit("rdj-1", "RDJ", OrderSide.Buy, 10m, 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var orderId = placed.Order!.OrderId;
        await Eventually.WaitAsync(() => account.GetOrderAsync(orderId), o => o!.BrokerOrderId is not null && !o.InFlight, "accepted");
        var reserved = (await account.GetSnapshotAsync())!.Reserved;

        // Refused by the order rules, then (halted) by the pre-trade risk checks, twice.
        var noChange = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = new OrderReplacement { LimitPrice = 48m } });
        Assert.True((await cluster.Breaker("replace-denied").TripAsync(TradingState.Halted, RiskOfficer, "stop")).Succeeded);
        await Eventually.WaitAsync(async () => (await account.GetSnapshotAsync())!.TradingState, s => s == TradingState.Halted, "the halt to reach the account");
        var halted = new List<OrderCommandResult>();
        for (var i = 0; i < 2; i++)
        {
            halted.Add(await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = new OrderReplacement { LimitPrice = 47m } }));
        }

        Assert.Equal(OrderErrorCodes.ReplaceNoChange, noChange.Denial?.ReasonCode);
        Assert.All(halted, h => Assert.Equal(RiskReasonCodes.TradingHalted, h.Denial?.ReasonCode));
        var order = (await account.GetOrderAsync(orderId))!;
        Assert.Equal((OrderStatus.Accepted, 48m, 10m), (order.Status, order.LimitPrice, order.Quantity));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);

        // Written in the refusing turn: a crash right after it loses none of the attempts.
        await cluster.Cluster.KillAndRestartSiloAsync(TestContext.Current.CancellationToken);
        account = cluster.Account("replace-denied");
        var denials = (await account.GetJournalAsync(0, 100)).Where(j => j.Action == "replace-denied").ToList();
        Assert.Equal(
            [
                (orderId, OrderStatus.Accepted, OrderStatus.Accepted, OrderErrorCodes.ReplaceNoChange, noChange.Denial!.Message),
                (orderId, OrderStatus.Accepted, OrderStatus.Accepted, RiskReasonCodes.TradingHalted, halted[0].Denial!.Message),
                (orderId, OrderStatus.Accepted, OrderStatus.Accepted, RiskReasonCodes.TradingHalted, halted[1].Denial!.Message),
            ],
            denials.Select(j => (j.OrderId, j.From, j.To, j.RiskReasonCode, j.Detail)));

        // A refused replace takes no order id: one it took belonged to no order, yet GET .../orders/{it} answered that the
        // order had aged out of the history, and the orders list's truncation counted it as a dropped order.
        Assert.Equal("O000000001", orderId);
        Assert.False(await account.IsOrderPastHistoryAsync("O000000002"));
        Assert.True((await cluster.Breaker("replace-denied").ResetAsync(TradingState.Active, RiskOfficer, "resume", force: false)).Succeeded);
        await Eventually.WaitAsync(async () => (await account.GetSnapshotAsync())!.TradingState, s => s == TradingState.Active, "the reset to reach the account");
        var next = await account.PlaceOrderAsync(Market.Limit("rdj-2", "RDJ", OrderSide.Buy, 1m, 48m));
        Assert.Equal("O000000002", next.Order?.OrderId);
    }
}
