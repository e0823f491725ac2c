using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// Session-anchored VWAP = Σ(price · volume) / Σ(volume) since the session began. A session is identified by the
/// key <c>sessionOf(timestamp)</c> returns (default: the UTC calendar date); the first update whose key differs from
/// the current one resets the sums before it is counted. <see cref="Reset"/> starts a new session explicitly.
/// Bars contribute their typical price (high + low + close) / 3.
/// </summary>
public sealed class VolumeWeightedAveragePrice : IIndicator
{
    private readonly Func<DateTimeOffset, DateOnly> _sessionOf;
    private decimal _priceVolume;
    private decimal _volume;

    public VolumeWeightedAveragePrice(Func<DateTimeOffset, DateOnly>? sessionOf = null)
    {
        _sessionOf = sessionOf ?? (static t => DateOnly.FromDateTime(t.UtcDateTime));
    }

    /// <summary>VWAP whose sessions are calendar dates at a fixed offset from UTC (e.g. -4 h for New York in summer).</summary>
    public static VolumeWeightedAveragePrice WithSessionOffset(TimeSpan utcOffset) =>
        new(t => DateOnly.FromDateTime(t.ToOffset(utcOffset).DateTime));

    public DateOnly? Session { get; private set; }

    public int Samples { get; private set; }

    /// <summary>Ready once the session has traded a positive volume.</summary>
    public bool IsReady => _volume > 0m;

    public decimal? Value => IsReady ? _priceVolume / _volume : null;

    public decimal CumulativeVolume => _volume;

    public decimal? Update(DateTimeOffset timestamp, decimal price, decimal volume)
    {
        if (price <= 0m)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, $"price must be > 0; got {price}.");
        }

        IndicatorGuard.NonNegative(volume, nameof(volume));
        var session = _sessionOf(timestamp);
        var sameSession = Session == session;

        // Both sums first: an overflow of either leaves both (and the session) as they were, never one without the other.
        decimal priceVolume;
        decimal cumulativeVolume;
        try
        {
            priceVolume = (sameSession ? _priceVolume : 0m) + (price * volume);
            cumulativeVolume = (sameSession ? _volume : 0m) + volume;
        }
        catch (OverflowException ex)
        {
            throw new OverflowException(
                $"VWAP: price {price} x volume {volume} takes the session's sums beyond the decimal range; the update was not counted.", ex);
        }

        if (!sameSession)
        {
            Reset();
            Session = session;
        }

        _priceVolume = priceVolume;
        _volume = cumulativeVolume;
        Samples++;
        return Value;
    }

    public decimal? Update(TradeTick trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        return Update(trade.Timestamp, trade.Price, trade.Size);
    }

    public decimal? Update(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        return Update(bar.Start, (bar.High + bar.Low + bar.Close) / 3m, bar.Volume);
    }

    public void Reset()
    {
        Session = null;
        _priceVolume = 0m;
        _volume = 0m;
        Samples = 0;
    }
}
