namespace OrleansTrader.Runtime;

/// <summary>The position of an event in its stream: the durable log's per-stream sequence number (from 1).</summary>
public sealed record StreamSequenceToken(long SequenceNumber, int EventIndex = 0) : IComparable<StreamSequenceToken>
{
    public int CompareTo(StreamSequenceToken? other)
    {
        if (other is null)
        {
            return 1;
        }

        var bySequence = SequenceNumber.CompareTo(other.SequenceNumber);
        return bySequence != 0 ? bySequence : EventIndex.CompareTo(other.EventIndex);
    }

    public static bool operator <(StreamSequenceToken left, StreamSequenceToken right) => Compare(left, right) < 0;

    public static bool operator >(StreamSequenceToken left, StreamSequenceToken right) => Compare(left, right) > 0;

    public static bool operator <=(StreamSequenceToken left, StreamSequenceToken right) => Compare(left, right) <= 0;

    public static bool operator >=(StreamSequenceToken left, StreamSequenceToken right) => Compare(left, right) >= 0;

    private static int Compare(StreamSequenceToken? left, StreamSequenceToken? right) =>
        left is null ? (right is null ? 0 : -1) : left.CompareTo(right);
}
