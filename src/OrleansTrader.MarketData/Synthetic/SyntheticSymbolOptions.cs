namespace OrleansTrader.MarketData.Synthetic;

public sealed class SyntheticSymbolOptions
{
    public string Symbol { get; set; } = string.Empty;

    public decimal StartPrice { get; set; } = 100m;

    /// <summary>Annualised drift (mu), e.g. 0.05 for 5% a year.</summary>
    public double Drift { get; set; } = 0.05;

    /// <summary>Annualised volatility (sigma), e.g. 0.2 for 20% a year.</summary>
    public double Volatility { get; set; } = 0.2;
}
