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

    /// <summary>Counts a band rejection; returns true when the validator should re-anchor on this price instead.</summary>
    public bool RejectOrReanchor(TickValidatorOptions options)
    {
        ConsecutiveRejections++;
        return ConsecutiveRejections >= options.ReanchorAfterConsecutiveRejections;
    }

    public void Accept(decimal price)
    {
        Reference = price;
        ConsecutiveRejections = 0;
        if (AcceptedCount < int.MaxValue)
        {
            AcceptedCount++;
        }
    }
}
