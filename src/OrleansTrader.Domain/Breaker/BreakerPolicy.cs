namespace OrleansTrader.Domain.Breaker;

/// <summary>
/// Automatic trip thresholds. Drawdown and broker error rate trip to HALTED; daily loss trips to REDUCING (positions can
/// still be cut) and so does stale market data (LESSONS.md 17: keep closing risk, open nothing new on data that may be wrong).
/// </summary>
public sealed record BreakerPolicy
{
    public static BreakerPolicy Default { get; } = new();

    /// <summary>Trip when day P&amp;L is at or below minus this many dollars.</summary>
    public decimal DailyLossLimit { get; init; } = 5_000m;

    /// <summary>Trip when equity is this percentage or more below the high-water mark.</summary>
    public decimal MaxDrawdownPercent { get; init; } = 10m;

    /// <summary>Trip when this fraction (0-1) or more of broker calls in the window failed or were rejected.</summary>
    public decimal MaxBrokerErrorRate { get; init; } = 0.5m;

    public TimeSpan ErrorWindow { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The error rate is judged only on at least this many calls in the window.</summary>
    public int MinErrorSamples { get; init; } = 10;

    public TimeSpan StaleDataMaxAge { get; init; } = TimeSpan.FromSeconds(60);

    public IReadOnlyList<DomainError> Validate()
    {
        // Validated on every evaluation: the list is only made when there is an error to put in it.
        List<DomainError>? errors = null;
        Require(DailyLossLimit > 0m, "DailyLossLimit must be positive.", ref errors);
        Require(MaxDrawdownPercent > 0m && MaxDrawdownPercent <= 100m, "MaxDrawdownPercent must be in (0, 100].", ref errors);
        Require(MaxBrokerErrorRate > 0m && MaxBrokerErrorRate <= 1m, "MaxBrokerErrorRate must be in (0, 1].", ref errors);
        Require(ErrorWindow > TimeSpan.Zero, "ErrorWindow must be positive.", ref errors);
        Require(MinErrorSamples > 0, "MinErrorSamples must be positive.", ref errors);
        Require(StaleDataMaxAge > TimeSpan.Zero, "StaleDataMaxAge must be positive.", ref errors);
        return errors ?? (IReadOnlyList<DomainError>)[];
    }

    private static void Require(bool condition, string message, ref List<DomainError>? errors)
    {
        if (!condition)
        {
            (errors ??= []).Add(new DomainError(BreakerErrorCodes.PolicyInvalid, message));
        }
    }
}
