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

    public decimal? OpeningPrint { get; init; }

    public decimal? ClosingPrint { get; init; }
}
