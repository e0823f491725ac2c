using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>Every log line of the adapter. None carries a key, a secret or an account number.</summary>
internal static partial class AlpacaLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Alpaca sent unknown order status {AlpacaStatus} for order {OrderId} ({ClientOrderId}, {Symbol}); treating it as {FallbackStatus} until reconciliation")]
    public static partial void UnknownOrderStatus(ILogger logger, string alpacaStatus, string orderId, string clientOrderId, string symbol, OrderStatus fallbackStatus);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Alpaca sent unknown trade_updates event {AlpacaEvent} for order {OrderId} ({ClientOrderId}, {Symbol}); reported as StatusChanged, never as a fill")]
    public static partial void UnknownEvent(ILogger logger, string alpacaEvent, string orderId, string clientOrderId, string symbol);

    // Debug: one line per order, as the account's own 5003.
    [LoggerMessage(EventId = 4102, Level = LogLevel.Debug, Message = "Submitting order {ClientOrderId} {Side} {Quantity} {Symbol}")]
    public static partial void Submitting(ILogger logger, string clientOrderId, OrderSide side, decimal quantity, string symbol);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Submit of {ClientOrderId} ({Symbol}) ended ambiguously ({Failure}); resolving it by client order id")]
    public static partial void SubmitAmbiguous(ILogger logger, string clientOrderId, string symbol, string failure);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Submit of {ClientOrderId} ({Symbol}) resolved to order {OrderId}")]
    public static partial void SubmitResolved(ILogger logger, string clientOrderId, string symbol, string orderId);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Error, Message = "Submit of {ClientOrderId} ({Symbol}) has an unknown outcome; the order stays in flight until reconciliation")]
    public static partial void SubmitUnknown(ILogger logger, string clientOrderId, string symbol);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Alpaca call {Operation} failed: {Kind} (HTTP {StatusCode}) {AlpacaMessage}")]
    public static partial void CallFailed(ILogger logger, string operation, BrokerErrorKind kind, int statusCode, string alpacaMessage);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Retrying Alpaca call after {Delay} (attempt {Attempt}, HTTP {StatusCode})")]
    public static partial void Retrying(ILogger logger, TimeSpan delay, int attempt, int statusCode);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Error, Message = "Alpaca circuit opened for {BreakDuration}; calls fail fast as Unavailable")]
    public static partial void CircuitOpened(ILogger logger, TimeSpan breakDuration);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Information, Message = "Alpaca circuit closed")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "trade_updates stream connected and authorized (connection {Connection})")]
    public static partial void StreamConnected(ILogger logger, int connection);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "trade_updates stream lost ({Failure}); reconnecting in {Delay}")]
    public static partial void StreamLost(ILogger logger, string failure, TimeSpan delay);

    [LoggerMessage(EventId = 4119, Level = LogLevel.Debug, Message = "trade_updates stream still lost ({Failure}; {Failures} failed attempts in a row); reconnecting in {Delay}")]
    public static partial void StreamStillLost(ILogger logger, string failure, int failures, TimeSpan delay);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Information, Message = "trade_updates stream back after {Failures} failed attempts over {Lasted}")]
    public static partial void StreamBack(ILogger logger, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Information, Message = "trade_updates stream healthy after back-filling {Fills} fills and re-checking {OpenOrders} open orders")]
    public static partial void StreamHealthy(ILogger logger, int fills, int openOrders);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Warning, Message = "trade_updates sent an unreadable message ({Failure}); reconnecting so the catch-up back-fills from the activities")]
    public static partial void StreamMalformed(ILogger logger, string failure);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Debug, Message = "Dropped duplicate execution {ExecutionId} for order {OrderId}")]
    public static partial void DuplicateExecution(ILogger logger, string executionId, string orderId);

    [LoggerMessage(EventId = 4115, Level = LogLevel.Error, Message = "trade_updates authorization refused by Alpaca; check the configured credentials")]
    public static partial void StreamUnauthorized(ILogger logger);

    [LoggerMessage(EventId = 4117, Level = LogLevel.Debug, Message = "trade_updates stream stopped by its reader ({Interrupted})")]
    public static partial void StreamStopped(ILogger logger, string interrupted);

    [LoggerMessage(EventId = 4118, Level = LogLevel.Warning, Message = "Alpaca order {OrderId} ({ClientOrderId}, {Symbol}) has {Field} '{Value}', which this adapter does not model; it was not placed by this backend and is left out of order lists, fills and trade_updates (first met in {Source})")]
    public static partial void UnsupportedOrderLeftOut(ILogger logger, string orderId, string clientOrderId, string symbol, string field, string value, string source);

    [LoggerMessage(EventId = 4116, Level = LogLevel.Warning, Message = "Replace of order {OrderId} ended ambiguously ({Failure}); resolving it from the old order")]
    public static partial void ReplaceAmbiguous(ILogger logger, string orderId, string failure);
}
