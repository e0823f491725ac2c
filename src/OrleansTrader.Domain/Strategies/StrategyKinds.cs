namespace OrleansTrader.Domain.Strategies;

/// <summary>The kind names the catalog knows.</summary>
public static class StrategyKinds
{
    public const string SmaCrossover = "sma-crossover";
    public const string RsiMeanReversion = "rsi-mean-reversion";
    public const string BollingerBreakout = "bollinger-breakout";

    public static IReadOnlyList<string> All { get; } = [SmaCrossover, RsiMeanReversion, BollingerBreakout];
}
