using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Breaker;

namespace OrleansTrader.Grains.Breakers;

internal static partial class BreakerLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning,
        Message = "Breaker {BreakerId}: {From} -> {To} ({Trigger}) by {Actor}: {Reason}")]
    public static partial void Transition(ILogger logger, string breakerId, TradingState from, TradingState to, BreakerTrigger trigger, string actor, string reason);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Error, Message = "Breaker {BreakerId} could not evaluate its triggers")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception, string breakerId);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "Breaker {BreakerId} could not tell every listening account in time; they refresh on their timers")]
    public static partial void NotifyFailed(ILogger logger, Exception exception, string breakerId);
}
