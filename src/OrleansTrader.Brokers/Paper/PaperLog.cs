using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Every log line of the paper venue. Account ids are the venue's keys, never broker account numbers.</summary>
internal static partial class PaperLog
{
    // Debug: one line per order, repeating the account's own (a rejected order is the account's warning 5005 too).
    [LoggerMessage(EventId = 4200, Level = LogLevel.Debug, Message = "Paper order {OrderId} ({ClientOrderId}) accepted for account {AccountId}: {Side} {Quantity} {Symbol}")]
    public static partial void Submitted(ILogger logger, string accountId, string orderId, string clientOrderId, OrderSide side, decimal quantity, string symbol);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Debug, Message = "Paper order {ClientOrderId} ({Symbol}) for account {AccountId} rejected: {Reason}")]
    public static partial void Rejected(ILogger logger, string accountId, string clientOrderId, string symbol, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Paper venue failed to process {Work} for account {AccountId}; state is unchanged and the work is retried on the next event")]
    public static partial void WorkFailed(ILogger logger, Exception exception, string work, string accountId);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Paper report stream of account {AccountId} fell {Backlog} reports behind and was disconnected")]
    public static partial void SubscriberDisconnected(ILogger logger, string accountId, int backlog);

    // Debug: a start restores every account, and one line each made a silo of 3,000 accounts print 3,000 at every start.
    [LoggerMessage(EventId = 4204, Level = LogLevel.Debug, Message = "Paper venue restored account {AccountId}: {Working} working orders, {Executions} executions in memory")]
    public static partial void Restored(ILogger logger, string accountId, int working, int executions);

    [LoggerMessage(EventId = 4291, Level = LogLevel.Information, Message = "Paper venue restored {Accounts} accounts with {Working} working orders")]
    public static partial void RestoredAll(ILogger logger, int accounts, int working);

    [LoggerMessage(EventId = 4205, Level = LogLevel.Information, Message = "Paper venue archived {Orders} orders and {Executions} executions of account {AccountId}")]
    public static partial void Archived(ILogger logger, string accountId, int orders, int executions);

    [LoggerMessage(EventId = 4206, Level = LogLevel.Warning, Message = "Paper venue halted trading in {Symbol}: {Reason}")]
    public static partial void Halted(ILogger logger, string symbol, string reason);

    [LoggerMessage(EventId = 4207, Level = LogLevel.Information, Message = "Paper venue resumed trading in {Symbol}")]
    public static partial void Resumed(ILogger logger, string symbol);
}
