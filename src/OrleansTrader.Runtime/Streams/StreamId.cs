namespace OrleansTrader.Runtime;

/// <summary>A stream's identity: a namespace ("ticks", "fills") and a key within it (a symbol, an account id).</summary>
public readonly record struct StreamId(string Namespace, string Key)
{
    public static StreamId Create(string streamNamespace, string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(streamNamespace);
        ArgumentNullException.ThrowIfNull(key);
        return new StreamId(streamNamespace, key);
    }

    public override string ToString() => $"{Namespace}/{Key}";
}
