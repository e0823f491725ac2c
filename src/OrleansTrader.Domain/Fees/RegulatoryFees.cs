using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Domain.Fees;

/// <summary>
/// Sell-side regulatory fees passed through by US brokers: the SEC Section 31 fee on the dollar amount sold and the
/// FINRA Trading Activity Fee per share sold with a per-trade cap (a trade being one <see cref="FeeInput"/>). Each is
/// rounded up to the cent per input. Rates change (the SEC sets Section 31 each fiscal year, FINRA the TAF each year), so
/// when <see cref="Dated"/> an input with a trade date on or after <see cref="RegulatoryFeeSchedule.Start"/> pays the rates
/// of <see cref="RegulatoryFeeSchedule"/> for that date; any other input pays the fixed rates below (docs/domain.md).
/// </summary>
public sealed record RegulatoryFees
{
    /// <summary>
    /// Fixed Section 31 rate for inputs without a trade date: $27.80 per million dollars sold (the fiscal 2024 rate,
    /// effective 2024-05-22), the highest of recent years, so an undated estimate errs on the side of cost.
    /// </summary>
    public const decimal DefaultSecFeePerMillion = 27.80m;

    /// <summary>Fixed FINRA TAF for covered equity sales, for inputs without a trade date: $0.000166 per share (2024-2025).</summary>
    public const decimal DefaultTafPerShare = 0.000166m;

    /// <summary>Fixed FINRA TAF per-trade maximum: $8.30 (2024-2025).</summary>
    public const decimal DefaultTafMaxPerTrade = 8.30m;

    public static RegulatoryFees Default { get; } = new();

    public decimal SecFeePerMillion { get; init; } = DefaultSecFeePerMillion;

    public decimal TafPerShare { get; init; } = DefaultTafPerShare;

    public decimal TafMaxPerTrade { get; init; } = DefaultTafMaxPerTrade;

    /// <summary>True: a dated input pays the rates in force on its trade date; false: every input pays the fixed rates.</summary>
    public bool Dated { get; init; } = true;

    public decimal SecFee(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Side != OrderSide.Sell)
        {
            return 0m;
        }

        var perMillion = Dated && input.TradeDate is { } date ? RegulatoryFeeSchedule.SecPerMillionOn(date) ?? SecFeePerMillion : SecFeePerMillion;
        return Money.CeilingToCent(input.Notional * perMillion / 1_000_000m);
    }

    public decimal FinraTaf(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Side != OrderSide.Sell)
        {
            return 0m;
        }

        var (perShare, max) = Dated && input.TradeDate is { } date
            ? RegulatoryFeeSchedule.FinraTafOn(date) ?? (TafPerShare, TafMaxPerTrade)
            : (TafPerShare, TafMaxPerTrade);
        return Math.Min(Money.CeilingToCent(input.Quantity * perShare), max);
    }
}
