namespace OrleansTrader.MarketData.Validation;

/// <summary>Reference price and warm-up state for one symbol and one kind of price.</summary>
internal sealed class PriceBand
{
    public decimal? Reference { get; private set; }

    public int AcceptedCount { get; private set; }

    public int ConsecutiveRejections { get; private set; }

    /// <summary>Returns true when <paramref name="price"/> is outside the band (and the band is active).</summary>
    public bool IsOutside(decimal price, TickValidatorOptions options)
    {
        // Consecutive prints often repeat the last price: no arithmetic for those.
        if (options.PriceBandPercent == 0m || Reference is not { } reference || AcceptedCount < options.BandWarmupCount || price == reference)
        {
            return false;
        }

        // |price - reference| / reference * 100 > band, multiplied out: references are accepted prices, so positive,
        // and a multiplication is exact where a division rounds (and is several times slower, on every tick).
        return Math.Abs(price - reference) * 100m > options.PriceBandPercent * reference;
    }

    /// <summary>The first out-of-band price of the current run of rejections, null when the last price was accepted.</summary>
    public decimal? RunStart { get; private set; }

    /// <summary>
    /// Counts a band rejection of <paramref name="price"/>; returns true when the validator should re-anchor on it instead.
    /// Only a run of prices within the band of the run's first is a new level (a halt gap): bad prints scattered in every
    /// direction are not, and a price that does not agree with the run's first starts a new run.
    /// </summary>
    public bool RejectOrReanchor(decimal price, TickValidatorOptions options)
    {
        if (RunStart is { } first && Math.Abs(price - first) * 100m <= options.PriceBandPercent * first)
        {
            ConsecutiveRejections++;
        }
        else
        {
            RunStart = price;
            ConsecutiveRejections = 1;
        }

        return ConsecutiveRejections >= options.ReanchorAfterConsecutiveRejections;
    }

    public void Accept(decimal price)
    {
        Reference = price;
        ConsecutiveRejections = 0;
        RunStart = null;
        if (AcceptedCount < int.MaxValue)
        {
            AcceptedCount++;
        }
    }
}
