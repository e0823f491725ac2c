namespace OrleansTrader.Runtime;

/// <summary>The last sequence one consumer has processed on one stream (an entry of a batched checkpoint save).</summary>
public sealed record StreamCheckpoint(StreamId StreamId, string ConsumerId, long Sequence);
