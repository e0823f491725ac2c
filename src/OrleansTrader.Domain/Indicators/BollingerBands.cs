namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Bollinger bands: middle = SMA(period), upper/lower = middle ± k · σ with σ the population standard deviation of
/// the same window. The mean and σ come from one <see cref="RollingStandardDeviation"/>, so both see the same window.
/// </summary>
public sealed class BollingerBands : IIndicator
{
    private readonly RollingStandardDeviation _deviation;

    public BollingerBands(int period, decimal k)
        : this(new RollingStandardDeviation(IndicatorGuard.Period(period, nameof(period))), k)
    {
    }

    private BollingerBands(RollingStandardDeviation deviation, decimal k)
    {
        _deviation = deviation;
        K = IndicatorGuard.Positive(k, nameof(k));
    }

    public int Period => _deviation.Period;

    public decimal K { get; }

    public int Samples => _deviation.Samples;

    public bool IsReady => _deviation.IsReady;

    public decimal? Middle => _deviation.Mean;

    public decimal? StandardDeviation => _deviation.Value;

    public decimal? Upper => Middle + (K * StandardDeviation);

    public decimal? Lower => Middle - (K * StandardDeviation);

    /// <summary>(upper - lower) / middle, or null during warm-up or with a zero middle.</summary>
    public decimal? Bandwidth => Middle is { } middle && middle != 0m ? (Upper - Lower) / middle : null;

    public void Update(decimal value) => _deviation.Update(value);

    public void Update(double value) => _deviation.Update(value);

    public void Reset() => _deviation.Reset();

    public BollingerBandsState GetState() => new() { K = K, Deviation = _deviation.GetState() };

    public static BollingerBands FromState(BollingerBandsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new BollingerBands(RollingStandardDeviation.FromState(state.Deviation), state.K);
    }
}
