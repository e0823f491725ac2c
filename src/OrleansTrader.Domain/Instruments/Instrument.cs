namespace OrleansTrader.Domain.Instruments;

/// <summary>
/// A tradable instrument and its order constraints. Prices at or above $1 trade in <see cref="TickSize"/> increments,
/// sub-dollar prices in <see cref="SubDollarTickSize"/> (US equity Rule 612).
/// </summary>
public sealed record Instrument
{
    /// <summary>The US equity tick at $1 and above.</summary>
    public const decimal DefaultTickSize = 0.01m;

    /// <summary>The US equity tick below $1.</summary>
    public const decimal DefaultSubDollarTickSize = 0.0001m;

    public required string Symbol { get; init; }

    public AssetClass AssetClass { get; init; } = AssetClass.UsEquity;

    public decimal TickSize { get; init; } = DefaultTickSize;

    public decimal SubDollarTickSize { get; init; } = DefaultSubDollarTickSize;

    /// <summary>Whole-share increment for non-fractional orders.</summary>
    public decimal LotSize { get; init; } = 1m;

    public bool FractionalAllowed { get; init; }

    /// <summary>Increment for fractional quantities.</summary>
    public decimal FractionalIncrement { get; init; } = 0.000000001m;

    public bool Tradable { get; init; } = true;

    public bool Shortable { get; init; } = true;

    public decimal MinQuantity { get; init; } = 1m;

    /// <summary>The most an order may have unless an instrument says otherwise: every symbol the silo trades has it.</summary>
    public const decimal DefaultMaxQuantity = 1_000_000m;

    public decimal MaxQuantity { get; init; } = DefaultMaxQuantity;

    /// <summary>Sanity bound on any order price, so absurd input is refused before it reaches arithmetic.</summary>
    public decimal MaxPrice { get; init; } = 1_000_000m;

    public decimal TickSizeFor(decimal price) => price < 1m ? SubDollarTickSize : TickSize;

    /// <summary>The quantity increment an order for <paramref name="quantity"/> must respect.</summary>
    public decimal QuantityIncrementFor(decimal quantity) =>
        FractionalAllowed && !Money.IsMultipleOf(quantity, LotSize) ? FractionalIncrement : LotSize;

    /// <summary>Errors in the definition itself; an instrument with errors must not enter a catalog.</summary>
    public IReadOnlyList<DomainError> Validate()
    {
        var errors = new List<DomainError>();
        if (!SymbolRules.IsValid(Symbol))
        {
            errors.Add(new DomainError(InstrumentErrorCodes.SymbolInvalid, $"Symbol '{Symbol}' is not valid."));
        }

        if (TickSize <= 0m || SubDollarTickSize <= 0m)
        {
            errors.Add(new DomainError(InstrumentErrorCodes.TickSizeInvalid, "Tick sizes must be positive."));
        }

        if (LotSize <= 0m || FractionalIncrement <= 0m)
        {
            errors.Add(new DomainError(InstrumentErrorCodes.LotSizeInvalid, "Lot size and fractional increment must be positive."));
        }

        if (MaxPrice <= 0m)
        {
            errors.Add(new DomainError(InstrumentErrorCodes.MaxPriceInvalid, "MaxPrice must be positive."));
        }

        if (MinQuantity <= 0m || MaxQuantity < MinQuantity)
        {
            errors.Add(new DomainError(InstrumentErrorCodes.QuantityBoundsInvalid, "Need 0 < MinQuantity <= MaxQuantity."));
        }

        return errors;
    }
}
