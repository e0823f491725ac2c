namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// The breaker's trip thresholds in a request (docs/domain.md, "Circuit breaker"). Every field is optional: an omitted one
/// keeps its current value (the defaults when an account is opened). Times are "hh:mm:ss".
/// </summary>
public sealed record BreakerPolicyRequest
{
    public decimal? DailyLossLimit { get; init; }

    public decimal? MaxDrawdownPercent { get; init; }

    public decimal? MaxBrokerErrorRate { get; init; }

    public TimeSpan? ErrorWindow { get; init; }

    public int? MinErrorSamples { get; init; }

    public TimeSpan? StaleDataMaxAge { get; init; }
}
