namespace OrleansTrader.Domain.Bars;

/// <summary>
/// The <see cref="TradeFilterOptions.MaxDeviationPercent"/> check, with its way out: an excluded print never moves the
/// reference, so without one a real move past the band (an overnight gap, a halt reopening) would exclude every later
/// print for good. A run of <see cref="TradeFilterOptions.DeviationConfirmations"/> consecutive deviating prints that
/// agree with one another (each within the band of the run's first) says the market moved: the last one is accepted.
/// </summary>
internal sealed class DeviationFilter(TradeFilterOptions options)
{
    private decimal? _runStart;
    private int _runLength;

    /// <summary>True when the print is excluded as deviating from <paramref name="reference"/>.</summary>
    public bool Excludes(decimal price, decimal? reference)
    {
        if (!TradeScreen.Deviates(price, reference, options))
        {
            _runStart = null;
            _runLength = 0;
            return false;
        }

        if (_runStart is { } start && !TradeScreen.Deviates(price, start, options))
        {
            _runLength++;
        }
        else
        {
            _runStart = price;
            _runLength = 1;
        }

        if (_runLength < options.DeviationConfirmations)
        {
            return true;
        }

        _runStart = null;
        _runLength = 0;
        return false;
    }
}
