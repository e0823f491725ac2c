namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// MACD line = EMA(fast) - EMA(slow), defined once the slow EMA is ready; signal = EMA(signal period) of the MACD
/// line (SMA-seeded like every EMA here); histogram = MACD - signal. Ready when the signal is.
/// </summary>
public sealed class MovingAverageConvergenceDivergence : IIndicator
{
    private readonly ExponentialMovingAverage _fast;
    private readonly ExponentialMovingAverage _slow;
    private readonly ExponentialMovingAverage _signal;

    public MovingAverageConvergenceDivergence(int fastPeriod = 12, int slowPeriod = 26, int signalPeriod = 9)
    {
        IndicatorGuard.Period(fastPeriod, nameof(fastPeriod));
        IndicatorGuard.Period(signalPeriod, nameof(signalPeriod));
        if (slowPeriod <= fastPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(slowPeriod), slowPeriod, $"slowPeriod must be > fastPeriod ({fastPeriod}); got {slowPeriod}.");
        }

        _fast = new ExponentialMovingAverage(fastPeriod);
        _slow = new ExponentialMovingAverage(slowPeriod);
        _signal = new ExponentialMovingAverage(signalPeriod);
    }

    public int FastPeriod => _fast.Period;

    public int SlowPeriod => _slow.Period;

    public int SignalPeriod => _signal.Period;

    public int Samples { get; private set; }

    public bool IsReady => _signal.IsReady;

    /// <summary>The MACD line, available from the slow EMA's warm-up on (before the signal is ready).</summary>
    public decimal? Macd { get; private set; }

    public decimal? Signal => _signal.Value;

    public decimal? Histogram => Macd - Signal;

    public void Update(decimal value)
    {
        // Each average refuses an overflowing value by itself; the ones updated before it are rolled back, so the three
        // keep averaging the same inputs.
        var fastBefore = _fast.Checkpoint();
        var slowBefore = _slow.Checkpoint();
        try
        {
            var fast = _fast.Update(value);
            var slow = _slow.Update(value);
            if (fast is { } f && slow is { } s)
            {
                var macd = f - s;
                _signal.Update(macd);
                Macd = macd;
            }
        }
        catch (OverflowException ex)
        {
            _fast.Restore(fastBefore);
            _slow.Restore(slowBefore);
            throw IndicatorGuard.Overflow("MACD", value, ex);
        }

        Samples++;
    }

    public void Update(double value) => Update(IndicatorGuard.ToDecimal(value, nameof(value)));

    public void Reset()
    {
        Samples = 0;
        Macd = null;
        _fast.Reset();
        _slow.Reset();
        _signal.Reset();
    }
}
