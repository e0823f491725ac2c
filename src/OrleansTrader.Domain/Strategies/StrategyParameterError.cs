namespace OrleansTrader.Domain.Strategies;

/// <summary>One invalid parameter: its name as the catalog spells it, and what is wrong.</summary>
public sealed record StrategyParameterError(string Parameter, string Message)
{
    public override string ToString() => $"{Parameter}: {Message}";
}
