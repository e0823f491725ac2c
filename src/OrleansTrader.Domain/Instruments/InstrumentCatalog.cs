using System.Collections.Frozen;

namespace OrleansTrader.Domain.Instruments;

/// <summary>An immutable symbol lookup. Built once from validated instruments; a symbol appears at most once.</summary>
public sealed class InstrumentCatalog
{
    private readonly FrozenDictionary<string, Instrument> _bySymbol;

    private InstrumentCatalog(FrozenDictionary<string, Instrument> bySymbol) => _bySymbol = bySymbol;

    public static InstrumentCatalog Empty { get; } = new(FrozenDictionary<string, Instrument>.Empty);

    public int Count => _bySymbol.Count;

    public IEnumerable<Instrument> All => _bySymbol.Values;

    public static Result<InstrumentCatalog> Create(IEnumerable<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        var map = new Dictionary<string, Instrument>(StringComparer.Ordinal);
        foreach (var instrument in instruments)
        {
            var errors = instrument.Validate();
            if (errors.Count > 0)
            {
                return Result.Fail<InstrumentCatalog>(errors[0]);
            }

            if (!map.TryAdd(instrument.Symbol, instrument))
            {
                return Result.Fail<InstrumentCatalog>(
                    InstrumentErrorCodes.DuplicateSymbol, $"Symbol '{instrument.Symbol}' appears twice.");
            }
        }

        return Result.Ok(new InstrumentCatalog(map.ToFrozenDictionary(StringComparer.Ordinal)));
    }

    public Instrument? Find(string symbol) => _bySymbol.GetValueOrDefault(symbol);

    public bool TryGet(string symbol, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Instrument? instrument) =>
        _bySymbol.TryGetValue(symbol, out instrument);
}
