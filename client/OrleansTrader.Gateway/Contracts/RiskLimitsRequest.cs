namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// Risk limits in a request. Every field is optional: an omitted one keeps its current value (the defaults when an
/// account is opened). Times are "hh:mm:ss".
/// </summary>
public sealed record RiskLimitsRequest
{
    public decimal? MaxOrderNotional { get; init; }

    public decimal? MaxPositionNotional { get; init; }

    public decimal? MaxPositionPercentOfEquity { get; init; }

    public int? MaxOpenOrders { get; init; }

    public int? MaxSubmitsPerWindow { get; init; }

    public TimeSpan? SubmitWindow { get; init; }

    public TimeSpan? MaxQuoteAge { get; init; }

    public decimal? PriceBandPercent { get; init; }

    public bool? AllowShortSelling { get; init; }

    public bool? RequireMarketOpen { get; init; }
}
