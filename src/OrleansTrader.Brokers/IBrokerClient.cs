using OrleansTrader.Domain;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers;

/// <summary>
/// One account's connection to a venue (the paper exchange or Alpaca). Only the account grain calls it, after
/// its pre-trade checks. Every implementation passes the shared contract suite in OrleansTrader.Brokers.Tests.
/// </summary>
/// <remarks>
/// Errors are <see cref="BrokerException"/> with a <see cref="BrokerErrorKind"/>. An
/// <see cref="BrokerErrorKind.OutcomeUnknown"/> submit must never be retried blindly: the caller keeps the order
/// in flight and resolves it with <see cref="GetOrderByClientOrderIdAsync"/>. Every other kind from a submit, replace or
/// cancel means the venue did not act on it (refused, or never delivered), and the caller ends the request at once.
/// </remarks>
public interface IBrokerClient
{
    /// <summary>"paper" or "alpaca".</summary>
    string Name { get; }

    /// <summary>
    /// This venue's refusal of an order (or replacement) the domain's rules allow, or null when the venue takes it. The
    /// account asks before it reserves anything or sends the order, so such an order is denied with the rule's reason code
    /// instead of being sent and rejected by the venue. The paper exchange keeps the domain's rules: null.
    /// </summary>
    DomainError? CheckOrderShape(OrderRequest request) => null;

    /// <summary>Submits an order. Idempotent by ClientOrderId: a repeat returns the existing order and creates nothing.</summary>
    Task<BrokerOrder> SubmitOrderAsync(OrderRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces an open order. The old order ends Replaced and the returned one is new, with its own id.</summary>
    Task<BrokerOrder> ReplaceOrderAsync(string orderId, OrderReplacement replacement, CancellationToken cancellationToken = default);

    /// <summary>Requests cancellation; returns the order as the venue now sees it (PendingCancel or Canceled).</summary>
    Task<BrokerOrder> CancelOrderAsync(string orderId, CancellationToken cancellationToken = default);

    Task<BrokerOrder?> GetOrderAsync(string orderId, CancellationToken cancellationToken = default);

    Task<BrokerOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BrokerOrder>> ListOpenOrdersAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Every fill at or after <paramref name="since"/>, oldest first: the back-fill after a disconnect.</summary>
    Task<IReadOnlyList<Execution>> GetExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>Order updates and fills as the venue reports them, until cancelled. Reconnects are the implementation's job.</summary>
    IAsyncEnumerable<ExecutionReport> StreamExecutionReportsAsync(CancellationToken cancellationToken = default);
}
