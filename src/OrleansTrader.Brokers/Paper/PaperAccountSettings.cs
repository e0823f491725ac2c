using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Per-account venue settings. The default is commission-free with the regulatory sell fees (Alpaca's model).</summary>
public sealed record PaperAccountSettings
{
    public static PaperAccountSettings Default { get; } = new();

    public FeeModelSpec FeeModel { get; init; } = FeeModelSpec.Default;
}
