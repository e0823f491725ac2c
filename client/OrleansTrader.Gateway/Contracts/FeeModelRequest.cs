using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A fee model: kind "zeroCommission", "perShare" or "basisPoints" and its rates (unset rates keep the defaults).</summary>
public sealed record FeeModelRequest
{
    [RequiredField]
    [AcceptedValues(typeof(FeeModelKind))]
    public string? Kind { get; init; }

    public decimal? PerShareRate { get; init; }

    public decimal? MinimumPerOrder { get; init; }

    public decimal? MaxPercentOfNotional { get; init; }

    public decimal? BasisPoints { get; init; }

    public bool? IncludeRegulatoryFees { get; init; }
}
