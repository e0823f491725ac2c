using System.Collections.Concurrent;

namespace OrleansTrader.Domain.Instruments;

/// <summary>
/// The default instrument each unlisted symbol trades as, made once per symbol: instruments are immutable and callers
/// ask per order. At most <see cref="Capacity"/> are kept, so clients naming ever new symbols cannot grow it without
/// bound (past that, a symbol gets a fresh instrument each time).
/// </summary>
public sealed class UnlistedInstruments
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Instrument> _bySymbol = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The default instrument of <paramref name="symbol"/>, or null when it is not a valid symbol.</summary>
    public Instrument? For(string? symbol)
    {
        if (!SymbolRules.IsValid(symbol))
        {
            return null;
        }

        if (_bySymbol.TryGetValue(symbol!, out var kept))
        {
            return kept;
        }

        var instrument = new Instrument { Symbol = symbol! };
        if (Volatile.Read(ref _count) < Capacity && _bySymbol.TryAdd(symbol!, instrument))
        {
            Interlocked.Increment(ref _count);
        }

        return instrument;
    }
}
