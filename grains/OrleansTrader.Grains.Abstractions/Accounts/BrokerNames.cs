namespace OrleansTrader.Grains.Abstractions;

/// <summary>The brokers an account can trade through.</summary>
public static class BrokerNames
{
    public const string Paper = "paper";
    public const string Alpaca = "alpaca";
}
