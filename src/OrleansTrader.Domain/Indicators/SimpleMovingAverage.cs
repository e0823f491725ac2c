namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Arithmetic mean of the last <see cref="Period"/> values. The running sum is decimal, so adding the new value and
/// subtracting the evicted one is exact: the streaming value equals a recomputation over the window.
/// </summary>
public sealed class SimpleMovingAverage : IIndicator
{
    private readonly RollingWindow _window;
    private decimal _sum;

    public SimpleMovingAverage(int period)
    {
        Period = IndicatorGuard.Period(period, nameof(period));
        _window = new RollingWindow(period);
    }

    public int Period { get; }

    public int Samples { get; private set; }

    public bool IsReady => _window.IsFull;

    /// <summary>The mean of the full window, or null during warm-up.</summary>
    public decimal? Value => IsReady ? _sum / Period : null;

    public decimal? Update(decimal value)
    {
        // The sum first: an overflow leaves the window and the sum as they were, together.
        decimal sum;
        try
        {
            sum = IndicatorGuard.Replace(_sum, value, _window.Oldest);
        }
        catch (OverflowException ex)
        {
            throw IndicatorGuard.Overflow("SMA", value, ex);
        }

        _window.Push(value);
        _sum = sum;
        Samples++;
        return Value;
    }

    public decimal? Update(double value) => Update(IndicatorGuard.ToDecimal(value, nameof(value)));

    public void Reset()
    {
        _window.Clear();
        _sum = 0m;
        Samples = 0;
    }

    public SimpleMovingAverageState GetState() => new()
    {
        Period = Period,
        Samples = Samples,
        Window = _window.ToArray(),
    };

    /// <summary>Rebuilds an indicator from a snapshot; the period must match the snapshot's.</summary>
    public static SimpleMovingAverage FromState(SimpleMovingAverageState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Window.Count > state.Period || state.Samples < state.Window.Count)
        {
            throw new ArgumentException($"Snapshot window holds {state.Window.Count} values for period {state.Period} and {state.Samples} samples.", nameof(state));
        }

        var sma = new SimpleMovingAverage(state.Period);
        foreach (var value in state.Window)
        {
            sma.Update(value);
        }

        sma.Samples = state.Samples;
        return sma;
    }
}
