using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Grains.Hosting;

/// <summary>What every account's risk checks share: the trading calendar and the instruments that may be traded.</summary>
public sealed class TradingEnvironment(ITradingCalendar calendar, InstrumentCatalog instruments, bool acceptUnlistedSymbols, FeedHours? feedHours = null)
{
    private readonly UnlistedInstruments _unlisted = new();

    public ITradingCalendar Calendar { get; } = calendar ?? throw new ArgumentNullException(nameof(calendar));

    /// <summary>The hours the market data feed delivers in, by which the breaker judges stale data.</summary>
    public FeedHours FeedHours { get; } = feedHours ?? FeedHours.ExtendedSession;

    public InstrumentCatalog Instruments { get; } = instruments ?? throw new ArgumentNullException(nameof(instruments));

    /// <summary>When true, a well-formed symbol missing from the catalog trades as a default US equity.</summary>
    public bool AcceptUnlistedSymbols { get; } = acceptUnlistedSymbols;

    /// <summary>The instrument for <paramref name="symbol"/>, or null when it is unknown (the risk check then denies).</summary>
    public Instrument? Find(string symbol)
    {
        if (string.IsNullOrWhiteSpace(symbol))
        {
            return null;
        }

        return Instruments.Find(symbol) ?? (AcceptUnlistedSymbols ? _unlisted.For(symbol) : null);
    }
}
