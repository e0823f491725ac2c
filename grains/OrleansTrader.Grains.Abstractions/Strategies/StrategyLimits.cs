namespace OrleansTrader.Grains.Abstractions;

/// <summary>Bounds of an account's strategies that callers check too (the gateway names them in its refusals).</summary>
public static class StrategyLimits
{
    /// <summary>The most strategies one account holds (its strategy directory's bound).</summary>
    public const int MaxPerAccount = 100;
}
