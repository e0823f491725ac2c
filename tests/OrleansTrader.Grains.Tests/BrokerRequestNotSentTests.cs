using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Brokers;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A submit, replace or cancel the broker certainly did not deliver (Unavailable: a circuit open, a refused connection, a
/// read before the request that failed; RateLimited) ends at once with the broker's reason. Unavailable left a submit or
/// replace in flight, and RateLimited or Unavailable left a cancel PendingCancel, for reconciliation to undo minutes later:
/// meanwhile the order showed as sent or as ending, and a second cancel of it was refused.
/// </summary>
public sealed class BrokerRequestNotSentTests
{
    private readonly NotDelivered _broker = new();

    [Fact]
    public async Task ASubmitTheBrokerDidNotDeliver_IsRejectedAtOnce_AndReleasesItsReservation()
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "unsent-submit");
        _broker.FailSubmit = BrokerErrorKind.Unavailable;

        var placed = await account.PlaceOrderAsync(Market.Limit("unsent-submit-1", "UNSNT", OrderSide.Buy, 10m, 49m));

        Assert.Equal((OrderStatus.Rejected, false), (placed.Order!.Status, placed.Order.InFlight));
        Assert.Contains("not delivered (test)", placed.Order.StatusReason, StringComparison.Ordinal);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((0m, 0), (snapshot.Reserved, snapshot.InFlightOrderCount));
    }

    [Fact]
    public async Task AReplaceTheBrokerDidNotDeliver_IsRejectedAtOnce_AndTheOldOrderWorksOn()
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "unsent-replace");
        var placed = await account.PlaceOrderAsync(Market.Limit("unsent-replace-1", "UNSNT", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var reserved = (await account.GetSnapshotAsync())!.Reserved;
        _broker.FailReplace = BrokerErrorKind.Unavailable;

        var replaced = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { LimitPrice = 48.5m } });

        Assert.Equal((OrderStatus.Rejected, false), (replaced.Order!.Status, replaced.Order.InFlight));
        Assert.Equal((placed.Order.Status, null), ((await account.GetOrderAsync(placed.Order.OrderId))!.Status, (await account.GetOrderAsync(placed.Order.OrderId))!.ReplacedByOrderId));
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal((reserved, 0), (snapshot.Reserved, snapshot.InFlightOrderCount));
    }

    [Theory]
    [InlineData(BrokerErrorKind.RateLimited)]
    [InlineData(BrokerErrorKind.Unavailable)]
    public async Task ACancelTheBrokerDidNotDeliver_LeavesTheOrderWorking_AndASecondCancelGoes(BrokerErrorKind kind)
    {
        await using var cluster = await StartAsync();
        var account = await OpenAsync(cluster, "unsent-cancel-" + kind);
        var placed = await account.PlaceOrderAsync(Market.Limit("unsent-cancel-1", "UNSNT", OrderSide.Buy, 10m, 49m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        _broker.FailCancel = kind;

        var refused = await account.CancelOrderAsync(placed.Order!.OrderId);
        _broker.FailCancel = null;
        var canceled = await account.CancelOrderAsync(placed.Order.OrderId);

        Assert.Equal(placed.Order.Status, refused.Order!.Status);
        Assert.True(canceled.Succeeded, canceled.Denial?.Message);
        Assert.Equal(OrderStatus.Canceled, canceled.Order!.Status);
    }

    private Task<TradingCluster> StartAsync() => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo => silo.Services.AddSingleton<IBrokerClientFactory>(sp => new WrappingBrokerClientFactory(
            ActivatorUtilities.CreateInstance<BrokerClientFactory>(sp), client => _broker.Wrap(client))),
    });

    private static async Task<IAccountGrain> OpenAsync(TradingCluster cluster, string accountId)
    {
        await Market.QuoteAsync(cluster, "UNSNT", 50m, 50.02m);
        return await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
    }

    /// <summary>Fails the next submit, replace or cancel with the kind set for it, sending nothing to the venue.</summary>
    private sealed class NotDelivered
    {
        public BrokerErrorKind? FailSubmit { get; set; }

        public BrokerErrorKind? FailReplace { get; set; }

        public BrokerErrorKind? FailCancel { get; set; }

        public IBrokerClient Wrap(IBrokerClient inner) => new Client(inner, this);

        private static BrokerException Failure(BrokerErrorKind kind) => new(kind, $"The request was not delivered (test): {kind}.");

        private sealed class Client(IBrokerClient inner, NotDelivered script) : ForwardingBrokerClient(inner)
        {
            public override Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default) =>
                script.FailSubmit is { } kind ? Task.FromException<BrokerOrder>(Failure(kind)) : base.SubmitOrderAsync(request, cancellationToken);

            public override Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default) =>
                script.FailReplace is { } kind ? Task.FromException<BrokerOrder>(Failure(kind)) : base.ReplaceOrderAsync(orderId, replacement, cancellationToken);

            public override Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
                script.FailCancel is { } kind ? Task.FromException<BrokerOrder>(Failure(kind)) : base.CancelOrderAsync(orderId, cancellationToken);
        }
    }
}
