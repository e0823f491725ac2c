namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// EMA with smoothing alpha = 2 / (period + 1), seeded with the simple mean of the first <see cref="Period"/> values:
/// EMA_n = mean(x_1..x_n), then EMA_t = EMA_{t-1} + alpha * (x_t - EMA_{t-1}).
/// </summary>
public sealed class ExponentialMovingAverage : IIndicator
{
    private readonly decimal _alpha;
    private decimal _seedSum;
    private decimal _value;

    public ExponentialMovingAverage(int period)
    {
        Period = IndicatorGuard.Period(period, nameof(period));
        _alpha = 2m / (period + 1);
    }

    public int Period { get; }

    public decimal Alpha => _alpha;

    public int Samples { get; private set; }

    public bool IsReady => Samples >= Period;

    public decimal? Value => IsReady ? _value : null;

    public decimal? Update(decimal value)
    {
        // Computed before anything is set: an overflow leaves the sample count, the seed and the value as they were.
        var samples = Samples + 1;
        var seedSum = _seedSum;
        var next = _value;
        try
        {
            if (samples <= Period)
            {
                seedSum += value;
                if (samples == Period)
                {
                    next = seedSum / Period;
                }
            }
            else
            {
                next += _alpha * (value - next);
            }
        }
        catch (OverflowException ex)
        {
            throw IndicatorGuard.Overflow("EMA", value, ex);
        }

        Samples = samples;
        _seedSum = seedSum;
        _value = next;
        return Value;
    }

    /// <summary>The state a composite indicator restores when a later part of its update fails.</summary>
    internal (int Samples, decimal SeedSum, decimal Value) Checkpoint() => (Samples, _seedSum, _value);

    internal void Restore((int Samples, decimal SeedSum, decimal Value) checkpoint) =>
        (Samples, _seedSum, _value) = checkpoint;

    public decimal? Update(double value) => Update(IndicatorGuard.ToDecimal(value, nameof(value)));

    public void Reset()
    {
        Samples = 0;
        _seedSum = 0m;
        _value = 0m;
    }

    public ExponentialMovingAverageState GetState() => new()
    {
        Period = Period,
        Samples = Samples,
        SeedSum = IsReady ? 0m : _seedSum,
        Value = Value,
    };

    public static ExponentialMovingAverage FromState(ExponentialMovingAverageState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var ema = new ExponentialMovingAverage(state.Period);
        if (state.Samples < 0 || (state.Samples >= state.Period) != state.Value.HasValue)
        {
            throw new ArgumentException($"Snapshot with {state.Samples} samples for period {state.Period} is inconsistent with its value.", nameof(state));
        }

        ema.Samples = state.Samples;
        ema._seedSum = state.SeedSum;
        ema._value = state.Value ?? 0m;
        return ema;
    }
}
