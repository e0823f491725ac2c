namespace OrleansTrader.Runtime;

/// <summary>The stable name of a grain class (by default its full type name). Part of every grain identity.</summary>
public readonly record struct GrainType
{
    public GrainType(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        Value = value;
    }

    public string Value { get; }

    public override string ToString() => Value;
}
