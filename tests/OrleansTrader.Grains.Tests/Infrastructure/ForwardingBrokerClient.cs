using OrleansTrader.Brokers;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Brokers;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>A test decorator's base: every member forwarded to <paramref name="inner"/>, for a test to override the one it alters.</summary>
internal abstract class ForwardingBrokerClient(IBrokerClient inner) : IBrokerClient
{
    public string Name => inner.Name;

    public virtual DomainError? CheckOrderShape(OrderRequest request) => inner.CheckOrderShape(request);

    public virtual Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default) =>
        inner.SubmitOrderAsync(request, cancellationToken);

    public virtual Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default) =>
        inner.ReplaceOrderAsync(orderId, replacement, cancellationToken);

    public virtual Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        inner.CancelOrderAsync(orderId, cancellationToken);

    public virtual Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        inner.GetOrderAsync(orderId, cancellationToken);

    public virtual Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        inner.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken);

    public virtual Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default) =>
        inner.ListOpenOrdersAsync(cancellationToken);

    public virtual Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default) =>
        inner.GetPositionsAsync(cancellationToken);

    public virtual Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        inner.GetExecutionsSinceAsync(since, cancellationToken);

    public virtual IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync(CancellationToken cancellationToken = default) =>
        inner.StreamExecutionReportsAsync(cancellationToken);
}

/// <summary>Broker client factories whose clients <paramref name="wrap"/> decorates; everything else forwarded to <paramref name="inner"/>.</summary>
internal sealed class WrappingBrokerClientFactory(IBrokerClientFactory inner, Func<IBrokerClient, IBrokerClient> wrap) : IBrokerClientFactory
{
    public IBrokerClient GetClient(string accountId, string broker) => wrap(inner.GetClient(accountId, broker));

    public bool IsAvailable(string broker) => inner.IsAvailable(broker);

    public string? Refusal(string accountId, string broker) => inner.Refusal(accountId, broker);

    public Task ConnectAsync(string accountId, string broker, BrokerAccountSettings settings, CancellationToken cancellationToken) =>
        inner.ConnectAsync(accountId, broker, settings, cancellationToken);
}
