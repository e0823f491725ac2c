namespace OrleansTrader.Domain.Fees;

/// <summary>Commission as basis points of notional with a per-order minimum, rounded half-away-from-zero to the cent.</summary>
public sealed class BasisPointsFeeModel(decimal basisPoints, decimal minimumPerOrder, RegulatoryFees? regulatoryFees) : IFeeModel
{
    public FeeBreakdown Calculate(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var commission = Math.Max(input.Notional * basisPoints / 10_000m, minimumPerOrder);
        return new FeeBreakdown(
            Money.RoundForReport(commission),
            regulatoryFees?.SecFee(input) ?? 0m,
            regulatoryFees?.FinraTaf(input) ?? 0m);
    }
}
