using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Wilder's ATR. True range = max(high - low, |high - previous close|, |low - previous close|); the first bar has no
/// previous close, so its true range is high - low. ATR starts as the mean of the first <see cref="Period"/> true
/// ranges, then ATR_t = (ATR_{t-1} · (n - 1) + TR_t) / n.
/// </summary>
public sealed class AverageTrueRange : IIndicator
{
    private decimal? _previousClose;
    private decimal _value;

    public AverageTrueRange(int period)
    {
        Period = IndicatorGuard.Period(period, nameof(period));
    }

    public int Period { get; }

    public int Samples { get; private set; }

    public bool IsReady => Samples >= Period;

    public decimal? Value => IsReady ? _value : null;

    /// <summary>True range of the last bar, or null before the first.</summary>
    public decimal? LastTrueRange { get; private set; }

    public decimal? Update(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        return Update(bar.High, bar.Low, bar.Close);
    }

    public decimal? Update(decimal high, decimal low, decimal close)
    {
        if (high < low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"high must be >= low; got high {high}, low {low}.");
        }

        var range = high - low;
        if (_previousClose is { } previous)
        {
            range = Math.Max(range, Math.Max(Math.Abs(high - previous), Math.Abs(low - previous)));
        }

        // Computed before anything is set: an overflow leaves the bar uncounted and the average as it was.
        var samples = Samples + 1;
        decimal next;
        try
        {
            next = samples < Period ? _value + range
                : samples == Period ? (_value + range) / Period
                : ((_value * (Period - 1)) + range) / Period;
        }
        catch (OverflowException ex)
        {
            throw IndicatorGuard.Overflow("ATR", range, ex);
        }

        Samples = samples;
        _value = next;
        LastTrueRange = range;
        _previousClose = close;
        return Value;
    }

    public void Reset()
    {
        Samples = 0;
        _previousClose = null;
        _value = 0m;
        LastTrueRange = null;
    }
}
