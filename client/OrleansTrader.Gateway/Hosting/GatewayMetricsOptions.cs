namespace OrleansTrader.Gateway;

public sealed class GatewayMetricsOptions
{
    /// <summary>When true, GET /metrics needs a valid key like every other route; by default scrapers need none.</summary>
    public bool RequireAuth { get; set; }

    /// <summary>Meters whose name starts with one of these prefixes are exported.</summary>
    public IList<string> MeterPrefixes { get; } = ["OrleansTrader"];

    /// <summary>Series kept per instrument; further tag combinations are dropped and counted (bounded memory).</summary>
    public int MaxSeriesPerInstrument { get; set; } = 1000;
}
