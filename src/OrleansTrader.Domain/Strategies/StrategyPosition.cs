namespace OrleansTrader.Domain.Strategies;

/// <summary>A position as the strategy sees it: signed quantity (negative is short) and average entry price.</summary>
public sealed record StrategyPosition(string Symbol, decimal Quantity, decimal AveragePrice)
{
    public bool IsFlat => Quantity == 0m;
}
