using System.Collections.Concurrent;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Grains.Hosting;

/// <summary>What every account's risk checks share: the trading calendar and the instruments that may be traded.</summary>
public sealed class TradingEnvironment(ITradingCalendar calendar, InstrumentCatalog instruments, bool acceptUnlistedSymbols)
{
    private const int MaxCachedUnlisted = 10_000;

    private readonly ConcurrentDictionary<string, Instrument> _unlisted = new(StringComparer.Ordinal);
    private int _unlistedCount;

    public ITradingCalendar Calendar { get; } = calendar ?? throw new ArgumentNullException(nameof(calendar));

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

        if (Instruments.Find(symbol) is { } listed)
        {
            return listed;
        }

        if (!AcceptUnlistedSymbols || !SymbolRules.IsValid(symbol))
        {
            return null;
        }

        if (_unlisted.TryGetValue(symbol, out var kept))
        {
            return kept;
        }

        // Instruments are immutable, so one per unlisted symbol serves every order (the risk check asks per order);
        // the cache is capped so clients naming ever new symbols cannot grow it without bound.
        var unlisted = new Instrument { Symbol = symbol };
        if (Volatile.Read(ref _unlistedCount) < MaxCachedUnlisted && _unlisted.TryAdd(symbol, unlisted))
        {
            Interlocked.Increment(ref _unlistedCount);
        }

        return unlisted;
    }
}
