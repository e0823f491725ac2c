namespace OrleansTrader.Gateway.Contracts;

/// <summary>SSE event "truncated": events between the client's Last-Event-ID and <see cref="OldestSequence"/> were pruned
/// (or the Last-Event-ID is past the account's newest event, and the events follow from the oldest kept); reload the
/// account's state, then keep reading.</summary>
public sealed record EventHistoryTruncated(long RequestedAfter, long OldestSequence);
