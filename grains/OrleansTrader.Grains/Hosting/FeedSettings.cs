namespace OrleansTrader.Grains.Hosting;

/// <summary>Section "Feed": the market data that drives the symbol grains.</summary>
public sealed class FeedSettings
{
    public const string SectionName = "Feed";

    /// <summary>"synthetic" (default, simulated prices), "replay" (CSV files under <see cref="Path"/>), "alpaca" (Alpaca's
    /// real-time stream, settings in MarketData:Alpaca) or "none".</summary>
    public string Kind { get; set; } = "synthetic";

    /// <summary>Folder of the CSV market data to replay (the shared data layout: minute/, ticks/, daily/).</summary>
    public string? Path { get; set; }

    /// <summary>Replay speed: 1 is real time, 60 is a minute per second, 0 is as fast as possible.</summary>
    public double Speed { get; set; } = 60;

    public IList<string> Symbols { get; } = [];

    /// <summary>Seconds without data after which the feed counts as stale for readiness.</summary>
    public int StaleAfterSeconds { get; set; } = 30;
}
