namespace OrleansTrader.Domain.Risk;

/// <summary>Per-account pre-trade limits. <see cref="Default"/> is conservative for a paper account.</summary>
public sealed record RiskLimits
{
    public const string InvalidCode = RiskReasonCodes.LimitsInvalid;

    public static RiskLimits Default { get; } = new();

    public decimal MaxOrderNotional { get; init; } = 100_000m;

    public decimal MaxPositionNotional { get; init; } = 250_000m;

    /// <summary>Largest position in one symbol as a percentage of equity.</summary>
    public decimal MaxPositionPercentOfEquity { get; init; } = 25m;

    public int MaxOpenOrders { get; init; } = 100;

    public int MaxSubmitsPerWindow { get; init; } = 60;

    public TimeSpan SubmitWindow { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxQuoteAge { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Limit and stop prices must lie within this percentage of the last price.</summary>
    public decimal PriceBandPercent { get; init; } = 10m;

    public bool AllowShortSelling { get; init; } = true;

    /// <summary>When true, orders are refused outside the session they ask for (OPG and CLS orders excepted).</summary>
    public bool RequireMarketOpen { get; init; } = true;

    public IReadOnlyList<DomainError> Validate()
    {
        // Validated on every order: the list is only made when there is an error to put in it.
        List<DomainError>? errors = null;
        Require(MaxOrderNotional > 0m, "MaxOrderNotional must be positive.", nameof(MaxOrderNotional), ref errors);
        Require(MaxPositionNotional > 0m, "MaxPositionNotional must be positive.", nameof(MaxPositionNotional), ref errors);
        Require(MaxPositionPercentOfEquity > 0m && MaxPositionPercentOfEquity <= 1_000m, "MaxPositionPercentOfEquity must be in (0, 1000].", nameof(MaxPositionPercentOfEquity), ref errors);
        Require(MaxOpenOrders > 0, "MaxOpenOrders must be positive.", nameof(MaxOpenOrders), ref errors);
        Require(MaxSubmitsPerWindow > 0, "MaxSubmitsPerWindow must be positive.", nameof(MaxSubmitsPerWindow), ref errors);
        Require(SubmitWindow > TimeSpan.Zero, "SubmitWindow must be positive.", nameof(SubmitWindow), ref errors);
        Require(MaxQuoteAge > TimeSpan.Zero, "MaxQuoteAge must be positive.", nameof(MaxQuoteAge), ref errors);
        Require(PriceBandPercent > 0m && PriceBandPercent <= 100m, "PriceBandPercent must be in (0, 100].", nameof(PriceBandPercent), ref errors);
        return errors ?? (IReadOnlyList<DomainError>)[];
    }

    private static void Require(bool condition, string message, string property, ref List<DomainError>? errors)
    {
        if (!condition)
        {
            (errors ??= []).Add(new DomainError(InvalidCode, message, property));
        }
    }
}
