namespace OrleansTrader.Domain.Instruments;

public enum AssetClass
{
    UsEquity,
}
