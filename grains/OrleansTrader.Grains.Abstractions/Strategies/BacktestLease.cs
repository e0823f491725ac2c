namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A caller's place for one backtest or sweep (the gateway's Gateway:Backtests:MaxConcurrent), handed to the backtest grain
/// under <see cref="RequestContextKeys.BacktestLease"/>. The grain takes it as its work starts and releases it when the work
/// ends, so a call that timed out (the caller answered 504 and stopped waiting) keeps its place while the backtest runs on.
/// The caller releases a place the grain never took: the call failed or expired before it ran.
/// </summary>
public sealed class BacktestLease(Action release)
{
    private const int Held = 0;
    private const int Taken = 1;
    private const int Released = 2;
    private int _state;

    /// <summary>Taken by the grain as its work starts: false when the caller let the place go already (it must not run then).</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Held) == Held;

    /// <summary>Releases the place once: by the grain when its work has ended.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _state, Released) != Released)
        {
            release();
        }
    }

    /// <summary>By the caller once its call is over: releases the place unless the grain took it (then the grain releases it).</summary>
    public void ReleaseUnlessTaken()
    {
        if (Interlocked.CompareExchange(ref _state, Released, Held) == Held)
        {
            release();
        }
    }
}
