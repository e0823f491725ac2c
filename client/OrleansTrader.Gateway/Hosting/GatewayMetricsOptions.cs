namespace OrleansTrader.Gateway;

public sealed class GatewayMetricsOptions
{
    /// <summary>When true, GET /metrics needs a valid key like every other route; by default scrapers need none.</summary>
    public bool RequireAuth { get; set; }

    /// <summary>Meters whose name starts with one of these prefixes are exported. A configured list replaces the default
    /// (see <see cref="TradingGatewayExtensions.AddTradingGateway"/>): binding alone would append to it.</summary>
    public IList<string> MeterPrefixes { get; set; } = ["OrleansTrader"];

    /// <summary>Series kept per instrument; further tag combinations are dropped and counted (bounded memory).</summary>
    public int MaxSeriesPerInstrument { get; set; } = 1000;
}
