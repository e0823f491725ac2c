namespace OrleansTrader.Runtime;

/// <summary>
/// One event in a durable stream log. <see cref="Position"/> orders every event in the log (for tailing);
/// <see cref="Sequence"/> numbers events within their stream from 1 with no gaps (for tokens and checkpoints).
/// </summary>
public sealed record StoredStreamEvent(
    long Position,
    StreamId StreamId,
    long Sequence,
    ReadOnlyMemory<byte> Payload,
    DateTimeOffset Timestamp);
