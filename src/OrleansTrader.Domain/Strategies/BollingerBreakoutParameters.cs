namespace OrleansTrader.Domain.Strategies;

public sealed record BollingerBreakoutParameters : StrategyParameters
{
    public int Period { get; init; } = 20;

    /// <summary>
    /// The widest band a strategy takes, in standard deviations: k times σ must fit a decimal on any price (near the
    /// decimal's maximum it overflowed on every bar once σ passed 1), and bands past 100 σ are never reached anyway.
    /// </summary>
    public const decimal MaxK = 100m;

    /// <summary>Band width in standard deviations.</summary>
    public decimal K { get; init; } = 2m;

    protected override void ValidateCore(List<StrategyParameterError> errors)
    {
        RequirePeriod(errors, "period", Period);
        if (K <= 0m || K > MaxK)
        {
            errors.Add(new StrategyParameterError("k", $"must be > 0 and <= {MaxK} (got {K})"));
        }
    }
}
