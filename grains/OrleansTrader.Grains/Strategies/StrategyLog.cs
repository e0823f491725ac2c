using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Strategies;

internal static partial class StrategyLog
{
    [LoggerMessage(EventId = 5401, Level = LogLevel.Information, Message = "Strategy {StrategyId} ({Kind} on {Symbols}) created in account {AccountId}")]
    public static partial void Created(ILogger logger, string accountId, string strategyId, string kind, string symbols);

    [LoggerMessage(EventId = 5402, Level = LogLevel.Information, Message = "Strategy {StrategyId} of account {AccountId} started")]
    public static partial void Started(ILogger logger, string accountId, string strategyId);

    [LoggerMessage(EventId = 5421, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId} did not start: {Reason}")]
    public static partial void NotStarted(ILogger logger, string accountId, string strategyId, string reason);

    [LoggerMessage(EventId = 5403, Level = LogLevel.Information, Message = "Strategy {StrategyId} of account {AccountId} stopped")]
    public static partial void Stopped(ILogger logger, string accountId, string strategyId);

    [LoggerMessage(EventId = 5404, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: intent {ClientOrderId} withheld, trading state {TradingState}")]
    public static partial void Suppressed(ILogger logger, string accountId, string strategyId, string clientOrderId, TradingState tradingState);

    // A breaker can stay tripped for hours: 5404 is logged when the strategy begins withholding, each further intent at
    // Debug, and the count when trading resumes (StrategyStatus.IntentsSuppressed counts them all).
    [LoggerMessage(EventId = 5418, Level = LogLevel.Debug,
        Message = "Strategy {StrategyId} of account {AccountId}: intent {ClientOrderId} withheld, trading state {TradingState} ({Withheld} withheld since it began)")]
    public static partial void SuppressedAgain(ILogger logger, string accountId, string strategyId, string clientOrderId, TradingState tradingState, long withheld);

    [LoggerMessage(EventId = 5419, Level = LogLevel.Information,
        Message = "Strategy {StrategyId} of account {AccountId}: trading state went from {WithheldState} to {TradingState}; {Withheld} intents were withheld meanwhile")]
    public static partial void SuppressionEnded(ILogger logger, string accountId, string strategyId, TradingState tradingState, long withheld, TradingState withheldState);

    [LoggerMessage(EventId = 5415, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: intent {ClientOrderId} for {Quantity} would reverse the position while trading is REDUCING; sent for {ClosingQuantity}, the part that closes it")]
    public static partial void CutToClose(ILogger logger, string accountId, string strategyId, string clientOrderId, decimal quantity, decimal closingQuantity);

    [LoggerMessage(EventId = 5416, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused an order in {Symbol} ({ReasonCode}); its next orders in it are refused without being sent until a quote of it arrives, for {Hold} at most")]
    public static partial void HeldForQuote(ILogger logger, string accountId, string strategyId, string symbol, string reasonCode, TimeSpan hold);

    // A symbol whose data stopped for hours has an order refused after each minute's hold, just like the first: 5416 is
    // logged for the first of them, the rest at Debug, until a quote of it arrives or the account takes an order in it.
    [LoggerMessage(EventId = 5422, Level = LogLevel.Debug,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused an order in {Symbol} ({ReasonCode}) again, no quote of it since ({Refusals} refusals in a row); its next orders in it are refused without being sent for {Hold} at most")]
    public static partial void HeldForQuoteAgain(ILogger logger, string accountId, string strategyId, string symbol, string reasonCode, TimeSpan hold, int refusals);

    [LoggerMessage(EventId = 5461, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused a {Side} in {Symbol} as a short (the strategy counts a position the account does not hold, e.g. one closed through the account); its next orders of that side in it are refused without being sent for {Hold}, or until it has a fill in it")]
    public static partial void HeldAfterShortRefusal(ILogger logger, string accountId, string strategyId, string symbol, OrderSide side, TimeSpan hold);

    [LoggerMessage(EventId = 5473, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused an order in {Symbol} as MARKET_CLOSED; its next orders are refused without being sent until the market opens at {Until:O}")]
    public static partial void HeldWhileMarketClosed(ILogger logger, string accountId, string strategyId, string symbol, DateTimeOffset until);

    [LoggerMessage(EventId = 5474, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused an order in {Symbol} as MARKET_CLOSED and the calendar cannot say when the market next opens (past the years it covers); its next orders are refused without being sent for {Hold}, then sent to the account again")]
    public static partial void HeldWhileNextOpenUnknown(ILogger logger, string accountId, string strategyId, string symbol, TimeSpan hold);

    // Past the calendar's years every minute's hold ends in a refusal just like the first: 5474 is logged for the first of
    // them, the rest at Debug, until the account takes one of the strategy's orders.
    [LoggerMessage(EventId = 5420, Level = LogLevel.Debug,
        Message = "Strategy {StrategyId} of account {AccountId}: the account refused an order in {Symbol} as MARKET_CLOSED again, the next open still unknown ({Refusals} refusals in a row); its next orders are refused without being sent for {Hold}")]
    public static partial void HeldWhileNextOpenUnknownAgain(ILogger logger, string accountId, string strategyId, string symbol, TimeSpan hold, int refusals);

    [LoggerMessage(EventId = 5423, Level = LogLevel.Information,
        Message = "Strategy {StrategyId} of account {AccountId}: the cancel of {ClientOrderId}, which closes the position in {Symbol}, is held while trading is HALTED; it is sent once trading resumes")]
    public static partial void CancelHeldWhileHalted(ILogger logger, string accountId, string strategyId, string clientOrderId, string symbol);

    [LoggerMessage(EventId = 5417, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: client order id {ClientOrderId} is taken at the account by a different order {OrderId} (an earlier send whose sequence was not saved); the intent is sent again as {NextClientOrderId}")]
    public static partial void IdTaken(ILogger logger, string accountId, string strategyId, string clientOrderId, string orderId, string nextClientOrderId);

    [LoggerMessage(EventId = 5405, Level = LogLevel.Error, Message = "Strategy {StrategyId} of account {AccountId} failed on an event")]
    public static partial void StrategyFailed(ILogger logger, Exception exception, string accountId, string strategyId);

    [LoggerMessage(EventId = 5406, Level = LogLevel.Error,
        Message = "Strategy {StrategyId} of account {AccountId} stopped: the stored snapshot of kind {Kind} no longer reads")]
    public static partial void SnapshotUnreadable(ILogger logger, Exception exception, string accountId, string strategyId, string kind);

    [LoggerMessage(EventId = 5412, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId} asked to cancel {ClientOrderId}; the account refused: {Reason}")]
    public static partial void CancelRefused(ILogger logger, string accountId, string strategyId, string clientOrderId, string reason);

    [LoggerMessage(EventId = 5413, Level = LogLevel.Error,
        Message = "Strategy {StrategyId} of account {AccountId}: placing {ClientOrderId} failed; the account is asked whether it holds the order")]
    public static partial void PlaceFailed(ILogger logger, Exception exception, string accountId, string strategyId, string clientOrderId);

    [LoggerMessage(EventId = 5414, Level = LogLevel.Warning,
        Message = "Strategy {StrategyId} of account {AccountId}: followed account events through sequence {Position}, past the account's newest event {LastSequence} (its storage was reset or restored); positions and orders are resynced from sequence {OldestSequence}")]
    public static partial void PositionPastNewest(ILogger logger, string accountId, string strategyId, long position, long lastSequence, long oldestSequence);

    [LoggerMessage(EventId = 5410, Level = LogLevel.Information, Message = "Strategy {StrategyId} of account {AccountId} warmed up on {Bars} bars ({Sources})")]
    public static partial void WarmedUp(ILogger logger, string accountId, string strategyId, int bars, string sources);
}
