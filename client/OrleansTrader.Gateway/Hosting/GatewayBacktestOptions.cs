namespace OrleansTrader.Gateway;

/// <summary>Backtests and sweeps (POST /api/backtests, /api/backtests/sweep), which any key may ask for.</summary>
public sealed class GatewayBacktestOptions
{
    /// <summary>
    /// Backtests and sweeps the silo runs at once, across all keys; one more is refused with 429 (BACKTEST_LIMIT) until one
    /// ends. Each takes a core for as long as it runs (seconds for a sweep near its bound), in the process that also trades:
    /// one leaves the other cores to trading on a small machine.
    /// </summary>
    public int MaxConcurrent { get; set; } = 1;
}
