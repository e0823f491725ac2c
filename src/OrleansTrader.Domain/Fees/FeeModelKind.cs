namespace OrleansTrader.Domain.Fees;

public enum FeeModelKind
{
    ZeroCommission,
    PerShare,
    BasisPoints,
}
