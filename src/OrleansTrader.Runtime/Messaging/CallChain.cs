namespace OrleansTrader.Runtime;

/// <summary>The grains waiting on a call, most recent caller first. Immutable; shared between messages of one flow.</summary>
public sealed class CallChain(GrainId caller, CallChain? previous)
{
    public GrainId Caller { get; } = caller;

    public CallChain? Previous { get; } = previous;

    public bool Contains(GrainId grainId)
    {
        for (var node = this; node is not null; node = node.Previous)
        {
            if (node.Caller == grainId)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The chain first caller first, followed by <paramref name="target"/>.</summary>
    public IReadOnlyList<GrainId> ToList(GrainId target)
    {
        var list = new List<GrainId>();
        for (var node = this; node is not null; node = node.Previous)
        {
            list.Add(node.Caller);
        }

        list.Reverse();
        list.Add(target);
        return list;
    }
}
