namespace OrleansTrader.Runtime.AdoNet;

internal static class StreamLogArguments
{
    public static void Validate(StreamId streamId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId.Namespace, nameof(streamId));
        ArgumentNullException.ThrowIfNull(streamId.Key, nameof(streamId));
    }

    public static void ValidateRead(long after, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
    }
}
