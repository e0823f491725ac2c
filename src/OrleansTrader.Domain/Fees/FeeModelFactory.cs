namespace OrleansTrader.Domain.Fees;

public static class FeeModelFactory
{
    /// <summary>Builds the model a spec describes; an invalid spec is an error, never a silent default.</summary>
    public static Result<IFeeModel> Create(FeeModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = spec.Validate();
        if (errors.Count > 0)
        {
            return Result.Fail<IFeeModel>(FeeModelSpec.InvalidCode, string.Join(" ", errors.Select(e => e.Message)));
        }

        IFeeModel model = spec.Kind switch
        {
            FeeModelKind.PerShare => new PerShareFeeModel(spec.PerShareRate, spec.MinimumPerOrder, spec.MaxPercentOfNotional, spec.RegulatoryFees),
            FeeModelKind.BasisPoints => new BasisPointsFeeModel(spec.BasisPoints, spec.MinimumPerOrder, spec.RegulatoryFees),
            _ => new ZeroCommissionFeeModel(spec.RegulatoryFees),
        };
        return Result.Ok(model);
    }
}
