namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Wilder's RSI. The first average gain/loss is the simple mean of the first <see cref="Period"/> changes
/// (so <see cref="Period"/> + 1 values are needed); after that avg_t = (avg_{t-1} · (n - 1) + change_t) / n.
/// RSI = 100 - 100 / (1 + avgGain / avgLoss), computed as 100 · avgGain / (avgGain + avgLoss); 100 when avgLoss is 0 and avgGain is positive; 50 when both are 0
/// (a flat series has no strength either way). Computed in decimal, which keeps replays bit-identical.
/// On unchanged values both averages decay by (n - 1) / n while their ratio, and so the RSI, stays put; decimal keeps only
/// 28 decimal places, so once both are small they are held scaled up by a power of ten (<see cref="RelativeStrengthIndexState.Scale"/>)
/// rather than losing their digits and rounding to 0 (which drifted a long flat run after a trend to 50, or to 0 or 100).
/// </summary>
public sealed class RelativeStrengthIndex : IIndicator
{
    private decimal? _previous;
    private decimal _gain;
    private decimal _loss;

    // _gain and _loss are the averages times 10^_scale; 0 except during a long run of unchanged values.
    private int _scale;

    private const decimal SmallAverage = 1e-10m;
    private const decimal LargeAverage = decimal.MaxValue / 200m;
    private const int ScaleStep = 10;
    private const decimal ScaleFactor = 1e10m;

    // Past 10^-40 an average is below decimal's smallest step (10^-28): it reads as 0.
    private const int UnderflowScale = 40;

    public RelativeStrengthIndex(int period)
    {
        Period = IndicatorGuard.Period(period, nameof(period));
    }

    public int Period { get; }

    public int Samples { get; private set; }

    public bool IsReady => Samples > Period;

    public decimal? AverageGain => IsReady ? Unscaled(_gain, _scale) : null;

    public decimal? AverageLoss => IsReady ? Unscaled(_loss, _scale) : null;

    public decimal? Value
    {
        get
        {
            if (!IsReady)
            {
                return null;
            }

            if (_loss == 0m)
            {
                return _gain == 0m ? 50m : 100m;
            }

            // The same value as 100 - 100 / (1 + gain / loss), without the ratio: after a long run of rises the loss decays
            // towards decimal's smallest step, and gain / loss overflowed (OverflowException) after about 900 bars.
            // Averages this large (changes near 10^27) are scaled down first: 100 · gain or gain + loss overflowed on
            // every read.
            var (gain, loss) = _gain > LargeAverage || _loss > LargeAverage ? (_gain / 1000m, _loss / 1000m) : (_gain, _loss);
            return 100m * gain / (gain + loss);
        }
    }

    public decimal? Update(decimal value)
    {
        // Computed before anything is set: an overflow leaves the sample count, the previous value and the averages as
        // they were.
        var samples = Samples + 1;
        var (averageGain, averageLoss, scale) = (_gain, _loss, _scale);
        if (_previous is { } previous)
        {
            try
            {
                var change = value - previous;
                var gain = change > 0m ? change : 0m;
                var loss = change < 0m ? -change : 0m;
                var changes = samples - 1;
                if (changes < Period)
                {
                    averageGain += gain;
                    averageLoss += loss;
                }
                else if (changes == Period)
                {
                    averageGain = (averageGain + gain) / Period;
                    averageLoss = (averageLoss + loss) / Period;
                }
                else
                {
                    if (change != 0m && scale > 0)
                    {
                        // A change dwarfs averages this small; only an unchanged value keeps their ratio.
                        averageGain = Unscaled(averageGain, scale);
                        averageLoss = Unscaled(averageLoss, scale);
                        scale = 0;
                    }

                    averageGain = ((averageGain * (Period - 1)) + gain) / Period;
                    averageLoss = ((averageLoss * (Period - 1)) + loss) / Period;
                    while (averageGain < SmallAverage && averageLoss < SmallAverage && (averageGain > 0m || averageLoss > 0m))
                    {
                        averageGain *= ScaleFactor;
                        averageLoss *= ScaleFactor;
                        scale += ScaleStep;
                    }
                }
            }
            catch (OverflowException ex)
            {
                throw IndicatorGuard.Overflow("RSI", value, ex);
            }
        }

        Samples = samples;
        (_gain, _loss, _scale) = (averageGain, averageLoss, scale);
        _previous = value;
        return Value;
    }

    public decimal? Update(double value) => Update(IndicatorGuard.ToDecimal(value, nameof(value)));

    public void Reset()
    {
        Samples = 0;
        _previous = null;
        _gain = 0m;
        _loss = 0m;
        _scale = 0;
    }

    private static decimal Unscaled(decimal value, int scale)
    {
        if (scale >= UnderflowScale)
        {
            return 0m;
        }

        for (; scale > 0; scale -= ScaleStep)
        {
            value /= ScaleFactor;
        }

        return value;
    }

    public RelativeStrengthIndexState GetState() => new()
    {
        Period = Period,
        Samples = Samples,
        PreviousValue = _previous,
        Gain = _gain,
        Loss = _loss,
        Scale = _scale,
    };

    public static RelativeStrengthIndex FromState(RelativeStrengthIndexState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Samples < 0 || (state.Samples > 0) != state.PreviousValue.HasValue || state.Gain < 0m || state.Loss < 0m || state.Scale < 0 || state.Scale % ScaleStep != 0)
        {
            throw new ArgumentException($"RSI snapshot with {state.Samples} samples is inconsistent.", nameof(state));
        }

        return new RelativeStrengthIndex(state.Period)
        {
            Samples = state.Samples,
            _previous = state.PreviousValue,
            _gain = state.Gain,
            _loss = state.Loss,
            _scale = state.Scale,
        };
    }
}
