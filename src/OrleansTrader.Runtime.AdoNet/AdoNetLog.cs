using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Log messages of the ADO.NET providers. Grain and stream keys are left out on purpose: they can be account ids.
/// </summary>
internal static partial class AdoNetLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "{Provider} schema ready ({Tables})")]
    public static partial void SchemaReady(ILogger logger, string provider, string tables);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug,
        Message = "ETag conflict on {Operation} of state {StateName} of grain type {GrainType}: stored {StoredETag}, expected {CurrentETag}")]
    public static partial void ETagConflict(
        ILogger logger, string operation, string stateName, string grainType, string? storedETag, string? currentETag);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning,
        Message = "Dead letter stored for consumer {ConsumerId} on stream namespace {StreamNamespace} at sequence {Sequence} after {Attempts} attempts")]
    public static partial void DeadLetterStored(ILogger logger, string consumerId, string streamNamespace, long sequence, int attempts);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Warning,
        Message = "A PostgreSQL session ended under a command ({Reason}): the pool's idle sessions are closed; reads, and writes that cannot take effect twice, run again over a new session")]
    public static partial void SessionsDropped(ILogger logger, string reason);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug,
        Message = "Another PostgreSQL session ended under a command ({Reason}), within the drop event logged as 7004")]
    public static partial void SessionDroppedAgain(ILogger logger, string reason);
}
