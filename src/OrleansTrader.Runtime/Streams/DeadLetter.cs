namespace OrleansTrader.Runtime;

/// <summary>An event a consumer failed to process after the configured number of attempts; kept, never skipped silently.</summary>
public sealed record DeadLetter(
    StreamId StreamId,
    string ConsumerId,
    long Sequence,
    ReadOnlyMemory<byte> Payload,
    int Attempts,
    string Error,
    DateTimeOffset FailedAt);
