namespace OrleansTrader.Domain;

/// <summary>Durations as decimal seconds, so no binary floating point enters the domain.</summary>
public static class TimeMath
{
    public static decimal Seconds(TimeSpan duration) => (decimal)duration.Ticks / TimeSpan.TicksPerSecond;
}
