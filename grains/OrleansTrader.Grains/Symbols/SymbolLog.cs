using Microsoft.Extensions.Logging;

namespace OrleansTrader.Grains.Symbols;

internal static partial class SymbolLog
{
    [LoggerMessage(EventId = 5301, Level = LogLevel.Warning, Message = "Market data for {Symbol} is stale (last tick received {LastReceivedAt:O})")]
    public static partial void Stale(ILogger logger, string symbol, DateTimeOffset? lastReceivedAt);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Information, Message = "Market data for {Symbol} is flowing")]
    public static partial void Fresh(ILogger logger, string symbol);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Warning, Message = "A correction or cancel of {Symbol} trade {TradeId} (at {Timestamp:O}) came after its bar was published; published bars are not retracted (further ones are only counted)")]
    public static partial void PublishedBarNotAmended(ILogger logger, string symbol, long tradeId, DateTimeOffset timestamp);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning,
        Message = "Could not save the last trade and quote of {Symbol}; retried at the next interval, its further failures at Debug until one succeeds")]
    public static partial void SaveFailed(ILogger logger, string symbol, Exception exception);

    [LoggerMessage(EventId = 5305, Level = LogLevel.Debug, Message = "Could not save the last trade and quote of {Symbol} ({Failures} failures in a row)")]
    public static partial void SaveFailedAgain(ILogger logger, string symbol, Exception exception, int failures);

    [LoggerMessage(EventId = 5306, Level = LogLevel.Information, Message = "Saved the last trade and quote of {Symbol} again, after {Failures} failed saves over {Lasted}")]
    public static partial void SavedAgain(ILogger logger, string symbol, int failures, TimeSpan lasted);

    [LoggerMessage(EventId = 5307, Level = LogLevel.Warning,
        Message = "A trade of {Symbol} is stamped {Timestamp:O}, more than {Tolerance} ahead of the clock and of the newest trade in the bars (a feed's clock or time zone wrong?): taken as a tick and left out of the bars; further ones are only counted (TradesAheadOfClock)")]
    public static partial void TradeAheadOfClock(ILogger logger, string symbol, DateTimeOffset timestamp, TimeSpan tolerance);
}
