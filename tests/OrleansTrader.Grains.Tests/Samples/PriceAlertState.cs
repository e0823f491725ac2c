namespace OrleansTrader.Grains.Tests.Samples;

public sealed record PriceAlertState
{
    public decimal? Threshold { get; init; }

    public decimal? LastPrice { get; init; }

    public int Triggered { get; init; }

    public int Checks { get; init; }
}
