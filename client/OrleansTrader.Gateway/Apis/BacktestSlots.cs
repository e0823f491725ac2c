using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// The backtests and sweeps running, across keys. Each steps a strategy through up to millions of bars on a core of the
/// silo that trades, and any key may ask: without a bound, a few clients took every core (orders waited up to a second and
/// more) and the calls queued behind them ran out of time as 504s after half a minute (LESSONS 8, 11).
/// </summary>
internal sealed class BacktestSlots(IOptions<GatewayOptions> options)
{
    private readonly int _max = options.Value.Backtests.MaxConcurrent;
    private int _running;

    /// <summary>A slot for one more backtest, released when disposed (by the grain, once the backtest ends, through its lease); null while the most allowed are running.</summary>
    public IDisposable? TryAcquire()
    {
        if (Interlocked.Increment(ref _running) > _max)
        {
            Interlocked.Decrement(ref _running);
            return null;
        }

        return new Slot(this);
    }

    private sealed class Slot(BacktestSlots slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                Interlocked.Decrement(ref slots._running);
            }
        }
    }
}
