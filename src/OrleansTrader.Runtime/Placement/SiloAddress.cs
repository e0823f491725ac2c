namespace OrleansTrader.Runtime;

/// <summary>Where a silo listens; with one silo per process it is the local silo.</summary>
public sealed record SiloAddress(string Host, int Port, long Generation)
{
    public static SiloAddress Local { get; } = new("local", 0, 0);

    public override string ToString() => $"{Host}:{Port}@{Generation}";
}
