namespace OrleansTrader.Domain.Strategies;

public sealed record SmaCrossoverParameters : StrategyParameters
{
    public int FastPeriod { get; init; } = 10;

    public int SlowPeriod { get; init; } = 30;

    /// <summary>Go short on a death cross instead of only going flat.</summary>
    public bool AllowShort { get; init; }

    protected override void ValidateCore(List<StrategyParameterError> errors)
    {
        RequirePeriod(errors, "fastPeriod", FastPeriod);
        RequirePeriod(errors, "slowPeriod", SlowPeriod);
        if (FastPeriod >= 1 && SlowPeriod >= 1 && SlowPeriod <= FastPeriod)
        {
            errors.Add(new StrategyParameterError("slowPeriod", $"must be > fastPeriod {FastPeriod} (got {SlowPeriod})"));
        }
    }
}
