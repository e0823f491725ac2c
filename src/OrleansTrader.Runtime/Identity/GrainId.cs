namespace OrleansTrader.Runtime;

/// <summary>
/// A grain's identity: (grain type, string key). The key is kept exactly as given; it is never parsed as a
/// number or hex, so "020235" and "20235" are two different grains, and two grain types never share a key space.
/// </summary>
public readonly record struct GrainId(GrainType Type, string Key)
{
    public static GrainId Create(string type, string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new GrainId(new GrainType(type), key);
    }

    public override string ToString() => $"{Type.Value}/{Key}";
}
