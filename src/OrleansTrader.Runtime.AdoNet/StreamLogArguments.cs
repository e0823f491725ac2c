namespace OrleansTrader.Runtime.AdoNet;

internal static class StreamLogArguments
{
    public static void Validate(StreamId streamId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamId.Namespace, nameof(streamId));
        ArgumentNullException.ThrowIfNull(streamId.Key, nameof(streamId));
    }

    public static void ValidateCheckpoint(StreamId streamId, string consumerId, long sequence)
    {
        Validate(streamId);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumerId);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
    }

    /// <summary>Checks every checkpoint of a batch save; false when there is nothing to save.</summary>
    public static bool ValidateCheckpoints(IReadOnlyList<StreamCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        foreach (var checkpoint in checkpoints)
        {
            ValidateCheckpoint(checkpoint.StreamId, checkpoint.ConsumerId, checkpoint.Sequence);
        }

        return checkpoints.Count > 0;
    }

    /// <summary>The stored text of a subscription id (SQLite has no uuid type).</summary>
    public static string Format(Guid subscriptionId) => subscriptionId.ToString("D", System.Globalization.CultureInfo.InvariantCulture);

    public static void ValidateRead(long after, int maxCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
    }
}
