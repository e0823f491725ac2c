namespace OrleansTrader.Gateway.Contracts;

/// <summary>SSE event "truncated": events between the client's Last-Event-ID and <see cref="OldestSequence"/> were pruned;
/// reload the account's state, then keep reading.</summary>
public sealed record EventHistoryTruncated(long RequestedAfter, long OldestSequence);
