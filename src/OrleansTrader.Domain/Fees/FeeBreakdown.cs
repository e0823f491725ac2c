namespace OrleansTrader.Domain.Fees;

/// <summary>The fee lines of one execution, each in dollars and cents as billed.</summary>
public sealed record FeeBreakdown(decimal Commission, decimal SecFee, decimal FinraTaf)
{
    public static FeeBreakdown None { get; } = new(0m, 0m, 0m);

    public decimal Total => Commission + SecFee + FinraTaf;
}
