using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fees;

/// <summary>
/// Sell-side regulatory fees passed through by US brokers: the SEC Section 31 fee on the dollar amount sold and the
/// FINRA Trading Activity Fee per share sold with a per-trade cap. Each is rounded up to the cent, as brokers bill.
/// Rates change (the SEC sets Section 31 each fiscal year); they are parameters, and the defaults are documented in
/// docs/domain.md with their sources.
/// </summary>
public sealed record RegulatoryFees
{
    /// <summary>
    /// Section 31 rate: $27.80 per million dollars sold (the fiscal 2024 rate, effective 2024-05-22). The SEC set it to
    /// $0.00 from 2025-05-14; the default stays at the last non-zero rate so estimates err on the side of cost.
    /// Configure the current rate per account (docs/domain.md).
    /// </summary>
    public const decimal DefaultSecFeePerMillion = 27.80m;

    /// <summary>FINRA TAF for covered equity sales: $0.000166 per share.</summary>
    public const decimal DefaultTafPerShare = 0.000166m;

    /// <summary>FINRA TAF per-trade maximum: $8.30.</summary>
    public const decimal DefaultTafMaxPerTrade = 8.30m;

    public static RegulatoryFees Default { get; } = new();

    public decimal SecFeePerMillion { get; init; } = DefaultSecFeePerMillion;

    public decimal TafPerShare { get; init; } = DefaultTafPerShare;

    public decimal TafMaxPerTrade { get; init; } = DefaultTafMaxPerTrade;

    public decimal SecFee(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Side == OrderSide.Sell ? Money.CeilingToCent(input.Notional * SecFeePerMillion / 1_000_000m) : 0m;
    }

    public decimal FinraTaf(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Side == OrderSide.Sell ? Math.Min(Money.CeilingToCent(input.Quantity * TafPerShare), TafMaxPerTrade) : 0m;
    }
}
