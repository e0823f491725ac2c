namespace OrleansTrader.Domain.Strategies;

public sealed record RsiMeanReversionParameters : StrategyParameters
{
    public int Period { get; init; } = 14;

    /// <summary>Buy when RSI falls below this.</summary>
    public decimal Oversold { get; init; } = 30m;

    /// <summary>Exit when RSI rises above this (unless <see cref="ExitAtMid"/>).</summary>
    public decimal Overbought { get; init; } = 70m;

    /// <summary>Exit when RSI reaches 50 instead of waiting for overbought.</summary>
    public bool ExitAtMid { get; init; }

    protected override void ValidateCore(List<StrategyParameterError> errors)
    {
        RequirePeriod(errors, "period", Period);
        if (Oversold <= 0m || Oversold >= 50m)
        {
            errors.Add(new StrategyParameterError("oversold", $"must be in (0, 50) (got {Oversold})"));
        }

        if (Overbought <= 50m || Overbought >= 100m)
        {
            errors.Add(new StrategyParameterError("overbought", $"must be in (50, 100) (got {Overbought})"));
        }
    }
}
