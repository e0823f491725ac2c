namespace OrleansTrader.Grains.Abstractions;

public static class BreakerKeys
{
    /// <summary>The key of the global breaker (kill switch): its state applies to every account.</summary>
    public const string Global = "global";
}
