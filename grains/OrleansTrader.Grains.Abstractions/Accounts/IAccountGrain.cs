using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One trading account (key: account id), the single writer of its orders, positions, cash, reservations and journal.
/// Risk checks and the reservation of buying power happen in the same turn as an order's acceptance; the broker is
/// reached only from here, after the checks.
/// </summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>
    /// Opens the account; opening again with the same settings answers <see cref="AccountCommandResult.AlreadyOpen"/> and
    /// changes nothing, except that it gives the account's breaker its policy when an earlier open failed before storing
    /// it; with different settings it is an error.
    /// </summary>
    Task<AccountCommandResult> OpenAsync(OpenAccount command);

    /// <summary>The account's figures, or null when it was never opened.</summary>
    Task<AccountSnapshot?> GetSnapshotAsync();

    /// <summary>Either the order (new, or the existing one for a repeated client order id) or a risk denial.</summary>
    Task<OrderCommandResult> PlaceOrderAsync(PlaceOrder command);

    /// <summary>
    /// The risk decision placing <paramref name="request"/> now would get, with the buying power it would reserve and its
    /// estimated fee; nothing is placed, reserved or recorded. An empty client order id is not checked against the account's.
    /// </summary>
    Task<RiskDecision> PreviewOrderAsync(OrderRequest request);

    Task<OrderCommandResult> ReplaceOrderAsync(ReplaceOrder command);

    Task<OrderCommandResult> CancelOrderAsync(string orderId);

    /// <summary>Requests the cancel of every working order; one result per order.</summary>
    Task<IReadOnlyList<OrderCommandResult>> CancelAllAsync();

    /// <summary>Sends a market order that flattens the position in <paramref name="symbol"/>.</summary>
    Task<OrderCommandResult> ClosePositionAsync(string symbol);

    /// <summary>
    /// Sends a market order that flattens each open position, in symbol order, after requesting the cancel of every working
    /// order when <paramref name="cancelOrders"/> is set; one result per position.
    /// </summary>
    Task<IReadOnlyList<PositionCloseResult>> CloseAllPositionsAsync(bool cancelOrders);

    Task<IReadOnlyList<AccountPosition>> GetPositionsAsync();

    /// <summary>
    /// Orders, newest first, filtered by status; <paramref name="afterOrderId"/> continues a previous page. A working trailing
    /// stop comes with its current level, asked of the broker (see <see cref="AccountOrder.HighWaterMark"/>).
    /// </summary>
    Task<IReadOnlyList<AccountOrder>> GetOrdersAsync(OrderStatusFilter status, int limit, string? afterOrderId);

    /// <summary>
    /// <see cref="GetOrdersAsync"/>'s orders, truncated on the page that ends a list of closed (or all) orders when the
    /// account's history no longer reaches its start and order ids below the page's last were given out to orders the
    /// account no longer holds (see <see cref="IsOrderPastHistoryAsync"/>).
    /// </summary>
    Task<AccountOrderPage> GetOrderPageAsync(OrderStatusFilter status, int limit, string? afterOrderId);

    /// <summary>The order; a working trailing stop comes with its current level, asked of the broker.</summary>
    Task<AccountOrder?> GetOrderAsync(string orderId);

    /// <summary>
    /// Whether this account gave out <paramref name="orderId"/> and no longer holds the order: it closed before the oldest
    /// history the account keeps (<see cref="GetOrderAsync"/> answers null for it, as for an id never given out).
    /// </summary>
    Task<bool> IsOrderPastHistoryAsync(string orderId);

    /// <summary>
    /// Moves cash into (positive amount) or out of (negative) a paper account, once per transfer id. A withdrawal takes at
    /// most the cash working orders and positions leave free.
    /// </summary>
    Task<CashTransferResult> TransferCashAsync(TransferCash command);

    /// <summary>The transfers kept (the newest 1,000), newest first.</summary>
    Task<IReadOnlyList<CashTransfer>> GetTransfersAsync();

    /// <summary>The order as the account recorded it, without asking the broker anything (what a strategy needs to cancel it).</summary>
    Task<AccountOrder?> GetOrderByClientOrderIdAsync(string clientOrderId);

    /// <summary>Fills in application order with a sequence greater than <paramref name="afterSequence"/>.</summary>
    Task<IReadOnlyList<AccountFill>> GetFillsAsync(long afterSequence, int limit);

    Task<IReadOnlyList<JournalEntry>> GetJournalAsync(long afterSequence, int limit);

    /// <summary>
    /// <see cref="GetFillsAsync"/>'s fills with where the kept fills begin, so a reader learns when fills after its sequence
    /// aged out (also when none of the kept history holds a fill, where the page alone is empty).
    /// </summary>
    Task<AccountFillPage> GetFillPageAsync(long afterSequence, int limit);

    /// <summary><see cref="GetJournalAsync"/>'s entries with where the kept journal begins (as <see cref="GetFillPageAsync"/>).</summary>
    Task<JournalPage> GetJournalPageAsync(long afterSequence, int limit);

    /// <summary>Account events after a sequence (the SSE resume point); the page says when older events were pruned.</summary>
    Task<AccountEventPage> GetEventsAsync(long afterSequence, int limit);

    /// <summary>
    /// The account's days from <paramref name="from"/> to <paramref name="to"/> (trading dates: UTC, or New York's on the NYSE calendar; both included; null: no bound),
    /// today's included while it is open, with their figures; null when the account was never opened.
    /// </summary>
    Task<AccountPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to);

    /// <summary>
    /// The account's closed trades that match the query, newest first, with the round trips still open and a summary;
    /// null when the account was never opened.
    /// </summary>
    Task<TradeHistory?> GetTradesAsync(TradeQuery query);

    Task<RiskLimits?> GetRiskLimitsAsync();

    /// <summary>
    /// Replaces the risk limits. With <paramref name="expected"/> (the limits a partial change was merged into), only while
    /// they are still those: changed meanwhile, nothing changes and the result is <see cref="AccountErrorCodes.SettingsChanged"/>,
    /// so the caller merges into the new ones rather than put the older values back.
    /// </summary>
    Task<AccountCommandResult> SetRiskLimitsAsync(RiskLimits limits, RiskLimits? expected = null);

    /// <summary>The thresholds the account's breaker trips on; null when the account was never opened.</summary>
    Task<BreakerPolicy?> GetBreakerPolicyAsync();

    /// <summary>
    /// Replaces the breaker's thresholds; the account's figures are judged on them at once (a daily loss limit lowered
    /// below today's loss trips now). Loosening one never resets a tripped breaker: that takes a reset. With
    /// <paramref name="expected"/>, only while the policy is still that one, as <see cref="SetRiskLimitsAsync"/>.
    /// </summary>
    Task<AccountCommandResult> SetBreakerPolicyAsync(BreakerPolicy policy, BreakerPolicy? expected = null);

    /// <summary>Revalues positions at current marks, rolls the trading day and reports signals to the breaker now (also on a timer).</summary>
    Task<AccountSnapshot?> RefreshAsync();

    /// <summary>Compares orders, fills and positions with the broker now (also runs at activation and on a timer).</summary>
    Task<ReconciliationReport> ReconcileAsync();

    /// <summary>Called by the breakers this account listens to; interleaves so a trip never waits on a busy account.</summary>
    [AlwaysInterleave]
    Task OnBreakerChangedAsync(BreakerSnapshot snapshot);
}
