namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Population standard deviation of the last <see cref="Period"/> values.
/// Numerics: the sums of deviations from a shift K (the first value seen) are kept in decimal, where adding and
/// subtracting are exact, so there is no drift and no catastrophic cancellation as with double sums of squares:
/// variance = (S2 - S1^2 / n) / n with S1 = sum(x - K), S2 = sum((x - K)^2). Only the final square root crosses to
/// double (decimal has none) and is refined by one Newton step in decimal.
/// </summary>
public sealed class RollingStandardDeviation : IIndicator
{
    private readonly RollingWindow _window;
    private decimal _shift;
    private decimal _sum;
    private decimal _sumOfSquares;

    public RollingStandardDeviation(int period)
    {
        Period = IndicatorGuard.Period(period, nameof(period));
        _window = new RollingWindow(period);
    }

    public int Period { get; }

    public int Samples { get; private set; }

    public bool IsReady => _window.IsFull;

    /// <summary>Population variance of the full window, or null during warm-up.</summary>
    public decimal? Variance
    {
        get
        {
            if (!IsReady)
            {
                return null;
            }

            var variance = (_sumOfSquares - (_sum * _sum / Period)) / Period;

            // The division rounds at the 28th digit; a constant window may land a hair below zero.
            return variance < 0m ? 0m : variance;
        }
    }

    public decimal? Value => Variance is { } variance ? IndicatorGuard.Sqrt(variance) : null;

    /// <summary>Mean of the full window, or null during warm-up.</summary>
    public decimal? Mean => IsReady ? _shift + (_sum / Period) : null;

    public decimal? Update(decimal value)
    {
        // The sums first: an overflow (a deviation whose square decimal cannot hold) leaves the window and both sums as
        // they were, together.
        var shift = _window.Count == 0 ? value : _shift;
        decimal sum;
        decimal sumOfSquares;
        try
        {
            var added = value - shift;
            var removed = _window.Oldest - shift;
            sum = IndicatorGuard.Replace(_sum, added, removed);
            sumOfSquares = IndicatorGuard.Replace(_sumOfSquares, added * added, removed * removed);
        }
        catch (OverflowException ex)
        {
            throw IndicatorGuard.Overflow("Standard deviation", value, ex);
        }

        _shift = shift;
        _window.Push(value);
        _sum = sum;
        _sumOfSquares = sumOfSquares;
        Samples++;
        return Value;
    }

    public decimal? Update(double value) => Update(IndicatorGuard.ToDecimal(value, nameof(value)));

    private void Reshift(decimal shift)
    {
        _shift = shift;
        _sum = 0m;
        _sumOfSquares = 0m;
        foreach (var value in _window.ToArray())
        {
            var deviation = value - shift;
            _sum += deviation;
            _sumOfSquares += deviation * deviation;
        }
    }

    public void Reset()
    {
        _window.Clear();
        _shift = 0m;
        _sum = 0m;
        _sumOfSquares = 0m;
        Samples = 0;
    }

    public RollingStandardDeviationState GetState() => new()
    {
        Period = Period,
        Samples = Samples,
        Window = _window.ToArray(),
        Shift = _shift,
    };

    public static RollingStandardDeviation FromState(RollingStandardDeviationState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Window.Count > state.Period || state.Samples < state.Window.Count)
        {
            throw new ArgumentException($"Snapshot window holds {state.Window.Count} values for period {state.Period} and {state.Samples} samples.", nameof(state));
        }

        var deviation = new RollingStandardDeviation(state.Period);
        foreach (var value in state.Window)
        {
            deviation.Update(value);
        }

        deviation.Reshift(state.Shift);

        deviation.Samples = state.Samples;
        return deviation;
    }
}
