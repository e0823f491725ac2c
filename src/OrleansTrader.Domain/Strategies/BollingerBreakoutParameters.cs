namespace OrleansTrader.Domain.Strategies;

public sealed record BollingerBreakoutParameters : StrategyParameters
{
    public int Period { get; init; } = 20;

    /// <summary>Band width in standard deviations.</summary>
    public decimal K { get; init; } = 2m;

    protected override void ValidateCore(List<StrategyParameterError> errors)
    {
        RequirePeriod(errors, "period", Period);
        if (K <= 0m)
        {
            errors.Add(new StrategyParameterError("k", $"must be > 0 (got {K})"));
        }
    }
}
