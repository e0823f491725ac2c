using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Fills;

/// <summary>
/// The market as the simulated exchange sees it at <see cref="Now"/>: the current quote, the trade being processed,
/// and the official opening or closing auction print when one has just happened.
/// </summary>
public sealed record MarketSnapshot
{
    public required DateTimeOffset Now { get; init; }

    public QuoteTick? Quote { get; init; }

    public TradeTick? Trade { get; init; }

    /// <summary>
    /// The whole size of the trade being processed, when <see cref="Trade"/> carries what earlier fills of the same print
    /// left of it (the paper venue serves its orders one after another): the participation rate is a share of the whole
    /// print for all of them together. Null: the trade's size is the whole print.
    /// </summary>
    public decimal? PrintSize { get; init; }

    public decimal? OpeningPrint { get; init; }

    public decimal? ClosingPrint { get; init; }
}
