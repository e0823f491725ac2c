using Microsoft.Extensions.Logging;
using OrleansTrader.MarketData.Health;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData;

/// <summary>Every log line of the market data feeds. Credentials never appear in any of them.</summary>
internal static partial class MarketDataLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Feed {FeedName} started: {Detail}")]
    public static partial void FeedStarted(ILogger logger, string feedName, string detail);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Feed {FeedName} completed: {Delivered} events delivered, {Rejected} rejected, {Malformed} malformed, {OutOfOrder} out of order")]
    public static partial void FeedCompleted(ILogger logger, string feedName, long delivered, long rejected, long malformed, long outOfOrder);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Feed {FeedName} rejected a tick for {Symbol}: {Reason} ({Detail})")]
    public static partial void TickRejected(ILogger logger, string feedName, string symbol, RejectionReason reason, string? detail);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Feed {FeedName} paused: the market is closed until {OpensAt:O}")]
    public static partial void FeedPausedUntilOpen(ILogger logger, string feedName, DateTimeOffset opensAt);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Feed {FeedName} is {Step} off its pace (the wall clock stepped, or the feed was held up that long): its ticks go on from now, stamped by the clock; it does not wait for a clock set back, nor send the steps in between")]
    public static partial void FeedClockStepped(ILogger logger, string feedName, TimeSpan step);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Warning, Message = "Bad row in {File} line {Line}: {Reason} ({Detail})")]
    public static partial void BadRow(ILogger logger, string file, long line, MalformedReason reason, string detail);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
        Message = "{File}: {BadRows} bad rows of {Rows} ({Logged} logged individually)")]
    public static partial void BadRowSummary(ILogger logger, string file, long badRows, long rows, int logged);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning,
        Message = "Feed {FeedName} does not read {Count} files named off the data layout (a day's file is minute/SYM/ or ticks/SYM/yyyy-MM-dd.trades.csv or .quotes.csv, optionally .gz): {Files}")]
    public static partial void FilesOffTheLayout(ILogger logger, string feedName, int count, string files);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Warning,
        Message = "Feed {FeedName}: {File} has no rows after its header, so the replay has no data from it")]
    public static partial void FileWithoutRows(ILogger logger, string feedName, string file);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Error, Message = "Replay of {File} failed")]
    public static partial void ReplayFailed(ILogger logger, string file, Exception exception);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Alpaca stream connecting to {Url}")]
    public static partial void AlpacaConnecting(ILogger logger, Uri url);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "Alpaca stream authenticated and subscribed to {SymbolCount} symbols")]
    public static partial void AlpacaConnected(ILogger logger, int symbolCount);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Error, Message = "Alpaca stream error {Code}: {Message}")]
    public static partial void AlpacaError(ILogger logger, int code, string message);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Warning, Message = "Alpaca stream connection lost; reconnect attempt {Attempt} in {Delay}")]
    public static partial void AlpacaReconnecting(ILogger logger, int attempt, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 3093, Level = LogLevel.Error,
        Message = "Alpaca stream refused the account with {Code} ({Description}): asking again cannot succeed until an operator changes the keys or the plan; retrying every {Delay}")]
    public static partial void AlpacaNeedsOperator(ILogger logger, int code, string description, TimeSpan delay);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Information, Message = "Alpaca stream subscription now trades={Trades} quotes={Quotes} bars={Bars}")]
    public static partial void AlpacaSubscription(ILogger logger, string trades, string quotes, string bars);

    [LoggerMessage(EventId = 3047, Level = LogLevel.Warning,
        Message = "Alpaca stream refused {Symbols} (symbol limit exceeded): not streamed and left out of the subscription; unsubscribe others to subscribe to them")]
    public static partial void AlpacaSymbolsRefused(ILogger logger, string symbols);

    [LoggerMessage(EventId = 3025, Level = LogLevel.Warning, Message = "Alpaca stream message could not be parsed: {Detail}")]
    public static partial void AlpacaBadMessage(ILogger logger, string detail);

    [LoggerMessage(EventId = 3026, Level = LogLevel.Debug, Message = "Alpaca stream ignored message type {Type}")]
    public static partial void AlpacaUnknownMessage(ILogger logger, string type);

    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning,
        Message = "Alpaca bars request for {Symbol} got {StatusCode}; attempt {Attempt} retries in {Delay}")]
    public static partial void AlpacaBarsRetry(ILogger logger, string symbol, int statusCode, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Error, Message = "Alpaca data API circuit opened for {BreakDuration}")]
    public static partial void AlpacaCircuitOpened(ILogger logger, TimeSpan breakDuration);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Information, Message = "Alpaca data API circuit closed")]
    public static partial void AlpacaCircuitClosed(ILogger logger);
}
