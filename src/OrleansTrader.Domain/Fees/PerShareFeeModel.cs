namespace OrleansTrader.Domain.Fees;

/// <summary>
/// Per-share commission with a per-order minimum and a cap as a percentage of notional (IBKR "fixed" style):
/// commission = min(max(rate x shares, minimum), maxPercent% x notional), rounded half-away-from-zero to the cent.
/// </summary>
public sealed class PerShareFeeModel(decimal ratePerShare, decimal minimumPerOrder, decimal maxPercentOfNotional,
    RegulatoryFees? regulatoryFees) : IFeeModel
{
    public FeeBreakdown Calculate(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var commission = Math.Max(ratePerShare * input.Quantity, minimumPerOrder);
        commission = Math.Min(commission, input.Notional * maxPercentOfNotional / 100m);
        return new FeeBreakdown(
            Money.RoundForReport(commission),
            regulatoryFees?.SecFee(input) ?? 0m,
            regulatoryFees?.FinraTaf(input) ?? 0m);
    }
}
