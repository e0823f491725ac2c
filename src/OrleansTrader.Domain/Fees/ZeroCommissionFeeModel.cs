namespace OrleansTrader.Domain.Fees;

/// <summary>Commission-free (Alpaca-style): only the pass-through regulatory fees on sells, when configured.</summary>
public sealed class ZeroCommissionFeeModel(RegulatoryFees? regulatoryFees) : IFeeModel
{
    public FeeBreakdown Calculate(FeeInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return regulatoryFees is null
            ? FeeBreakdown.None
            : new FeeBreakdown(0m, regulatoryFees.SecFee(input), regulatoryFees.FinraTaf(input));
    }
}
