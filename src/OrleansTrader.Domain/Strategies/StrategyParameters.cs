namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Parameters every strategy has. Each strategy derives a record with its own; <see cref="Validate"/> lists every
/// problem at once, naming parameters as the catalog spells them (camelCase).
/// </summary>
public abstract record StrategyParameters
{
    /// <summary>
    /// The longest period a built-in kind takes: a period is a window of that many values, allocated when the strategy
    /// is built (100,000 one-minute bars are about 256 regular sessions; 1.6 MB), so an unbounded one could ask a
    /// create request for gigabytes.
    /// </summary>
    public const int MaxPeriod = 100_000;

    /// <summary>
    /// The most shares per entry: an instrument's default maximum order quantity, so the account refuses anything above it
    /// (QUANTITY_INVALID). A backtest, which has no account, filled it, and a quantity near a decimal's maximum overflowed
    /// the position's cost there.
    /// </summary>
    public const decimal MaxQuantity = Instruments.Instrument.DefaultMaxQuantity;

    public required string Symbol { get; init; }

    /// <summary>Shares per entry.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>
    /// When set, a GTC trailing stop this many percent away follows every open position of the strategy
    /// (<see cref="ProtectiveStop"/>); null: none.
    /// </summary>
    public decimal? TrailingStopPercent { get; init; }

    public IReadOnlyList<StrategyParameterError> Validate()
    {
        var errors = new List<StrategyParameterError>();
        if (string.IsNullOrWhiteSpace(Symbol))
        {
            errors.Add(new StrategyParameterError("symbol", "must not be blank"));
        }

        if (Quantity <= 0m || Quantity > MaxQuantity)
        {
            errors.Add(new StrategyParameterError("quantity", $"must be > 0 and <= {MaxQuantity} (got {Quantity})"));
        }

        if (TrailingStopPercent is <= 0m or >= 100m)
        {
            errors.Add(new StrategyParameterError("trailingStopPercent", $"must be > 0 and < 100 (got {TrailingStopPercent})"));
        }

        ValidateCore(errors);
        return errors;
    }

    /// <summary>Throws a <see cref="StrategyParameterException"/> listing every problem, if there is any.</summary>
    public void EnsureValid(string kind)
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new StrategyParameterException(kind, errors);
        }
    }

    protected abstract void ValidateCore(List<StrategyParameterError> errors);

    protected static void RequirePeriod(List<StrategyParameterError> errors, string name, int value)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (value < 1)
        {
            errors.Add(new StrategyParameterError(name, $"must be >= 1 (got {value})"));
        }
        else if (value > MaxPeriod)
        {
            errors.Add(new StrategyParameterError(name, $"must be <= {MaxPeriod} (got {value})"));
        }
    }
}
