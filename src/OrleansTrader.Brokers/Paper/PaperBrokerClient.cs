using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>One account's <see cref="IBrokerClient"/> at the paper venue.</summary>
internal sealed class PaperBrokerClient(PaperAccount account) : IBrokerClient
{
    public string Name => PaperExchange.BrokerName;

    public Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return account.SubmitAsync(request, cancellationToken);
    }

    public Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentNullException.ThrowIfNull(replacement);
        return account.ReplaceAsync(orderId, replacement, cancellationToken);
    }

    public Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return account.CancelAsync(orderId, cancellationToken);
    }

    public Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return account.GetOrderAsync(orderId, cancellationToken);
    }

    public Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientOrderId);
        return account.GetOrderByClientOrderIdAsync(clientOrderId, cancellationToken);
    }

    public Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default) =>
        account.ListOpenOrdersAsync(cancellationToken);

    public Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default) =>
        account.GetPositionsAsync(cancellationToken);

    public Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default) =>
        account.GetExecutionsSinceAsync(since, cancellationToken);

    public IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync(CancellationToken cancellationToken = default) =>
        account.StreamAsync(cancellationToken);
}
