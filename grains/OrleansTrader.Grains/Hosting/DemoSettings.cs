namespace OrleansTrader.Grains.Hosting;

/// <summary>Section "Demo": a paper account running an SMA crossover, so a fresh install shows orders and fills at once.</summary>
public sealed class DemoSettings
{
    public const string SectionName = "Demo";

    public bool Enabled { get; set; } = true;

    public string AccountId { get; set; } = "demo";

    public string Symbol { get; set; } = "SPY";

    public decimal Cash { get; set; } = 100_000m;

    public int FastPeriod { get; set; } = 3;

    public int SlowPeriod { get; set; } = 8;

    public decimal Quantity { get; set; } = 10m;
}
