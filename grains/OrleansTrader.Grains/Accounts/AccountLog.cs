using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Accounts;

internal static partial class AccountLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Account {AccountId} opened at {Broker} with {Cash} {Currency}")]
    public static partial void Opened(ILogger logger, string accountId, string broker, decimal cash, string currency);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Account {AccountId} cannot reach broker {Broker}: {Reason}")]
    public static partial void BrokerUnavailable(ILogger logger, string accountId, string broker, string reason);

    // 5003 and 5004 come once per order: at Information 300 orders a second (with the paper venue's 4200 and the fill) printed 900
    // lines a second. Orders are in the account's API and history and counted in /metrics; the fill (5007) stays Information, the
    // one line per order an operator watching the log (and a new user of the demo) wants to see.
    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug,
        Message = "Order {OrderId} ({ClientOrderId}) of account {AccountId}: {Side} {Quantity} {Symbol} sent to the broker")]
    public static partial void Submitting(ILogger logger, string accountId, string orderId, string clientOrderId, string symbol, OrderSide side, decimal quantity);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Debug,
        Message = "Order {ClientOrderId} of account {AccountId} in {Symbol} denied: {ReasonCode} {Reason}")]
    public static partial void Denied(ILogger logger, string accountId, string clientOrderId, string symbol, string reasonCode, string reason);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Order {OrderId} ({ClientOrderId}) of account {AccountId} rejected by the broker: {Reason}")]
    public static partial void Rejected(ILogger logger, string accountId, string orderId, string clientOrderId, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning,
        Message = "Order {OrderId} ({ClientOrderId}) of account {AccountId}: broker outcome unknown; kept in flight until reconciliation")]
    public static partial void BrokerOutcomeUnknown(ILogger logger, Exception exception, string accountId, string orderId, string clientOrderId);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information,
        Message = "Fill on order {OrderId} ({ClientOrderId}) of account {AccountId}: {Side} {Quantity} {Symbol} @ {Price}")]
    public static partial void Filled(ILogger logger, string accountId, string orderId, string clientOrderId, string symbol, OrderSide side, decimal quantity, decimal price);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "Account {AccountId} does not reconcile with its broker: {Mismatch}")]
    public static partial void Mismatch(ILogger logger, string accountId, string mismatch);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "Account {AccountId} reconciled: {Backfilled} fills back-filled, {Resolved} orders resolved")]
    public static partial void Reconciled(ILogger logger, string accountId, int backfilled, int resolved);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Reconciliation of account {AccountId} failed")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning,
        Message = "Breaker signals of account {AccountId} could not be reported; the signal tick tries again, its further failures at Debug until one succeeds")]
    public static partial void SignalFailed(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Debug, Message = "Breaker signals of account {AccountId} could not be reported ({Failures} failures in a row)")]
    public static partial void SignalFailedAgain(ILogger logger, Exception exception, string accountId, int failures);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information,
        Message = "Breaker signals of account {AccountId} reported again, after {Failures} failed attempts over {Lasted}")]
    public static partial void SignalsReportedAgain(ILogger logger, string accountId, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Warning, Message = "Events of account {AccountId} ({Count}) were persisted but not published")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string accountId, int count);

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "Order {OrderId} of account {AccountId}: {Event} refused: {Reason}")]
    public static partial void TransitionRefused(ILogger logger, string accountId, string orderId, string @event, string reason);

    [LoggerMessage(EventId = 5014, Level = LogLevel.Warning, Message = "Execution report for {ClientOrderId} ignored: account {AccountId} is not open")]
    public static partial void ReportIgnored(ILogger logger, string accountId, string clientOrderId);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "Account {AccountId} is not in the account list ({Reason}); its next activation tries again")]
    public static partial void NotListed(ILogger logger, string accountId, string reason);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Warning,
        Message = "Account {AccountId}: a transfer whose write reported a failure could not be looked up and applied yet; the next signal tick tries again")]
    public static partial void UncertainTransferNotApplied(ILogger logger, Exception exception, string accountId);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Warning,
        Message = "Account {AccountId}: transfer {TransferId} scales the high-water mark {Mark} (equity {Equity}) beyond what a decimal holds; it is held at the largest decimal")]
    public static partial void HighWaterMarkSaturated(ILogger logger, string accountId, string transferId, decimal mark, decimal equity);

    [LoggerMessage(EventId = 5017, Level = LogLevel.Information, Message = "Account {AccountId}: cash transfer {TransferId} of {Amount}; cash now {Cash}")]
    public static partial void CashTransferred(ILogger logger, string accountId, string transferId, decimal amount, decimal cash);

    [LoggerMessage(EventId = 5018, Level = LogLevel.Error,
        Message = "Account {AccountId} refused execution {ExecutionId} of order {OrderId} ({ClientOrderId}): {Reason}; nothing of it is booked")]
    public static partial void ExecutionRefused(ILogger logger, string accountId, string executionId, string orderId, string clientOrderId, string reason);

    [LoggerMessage(EventId = 5019, Level = LogLevel.Error,
        Message = "Account {AccountId} cannot be valued: {Reason}; its breaker is tripped to REDUCING")]
    public static partial void ValuationFailed(ILogger logger, string accountId, string reason);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Warning,
        Message = "Account {AccountId}: reservation {ReservationId} ({Amount}) was held for a group's exits with none working; released")]
    public static partial void ExitsReservationReleased(ILogger logger, string accountId, string reservationId, decimal amount);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Warning, Message = "Account {AccountId} shows its trailing stops without their current level: the broker did not answer ({Reason})")]
    public static partial void TrailingLevelsUnavailable(ILogger logger, string accountId, string reason);
}
