using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Grains.Paper;

/// <summary>A <see cref="Position"/> as the store writes it: its stored fields, not the ones derived from them.</summary>
internal sealed record PaperStoredPosition
{
    public required string Symbol { get; init; }

    public decimal Quantity { get; init; }

    public decimal CostBasis { get; init; }

    public decimal RealizedPnl { get; init; }

    public decimal FeesPaid { get; init; }

    public static PaperStoredPosition From(Position position) => new()
    {
        Symbol = position.Symbol,
        Quantity = position.Quantity,
        CostBasis = position.CostBasis,
        RealizedPnl = position.RealizedPnl,
        FeesPaid = position.FeesPaid,
    };

    public Position ToPosition() => new()
    {
        Symbol = Symbol,
        Quantity = Quantity,
        CostBasis = CostBasis,
        RealizedPnl = RealizedPnl,
        FeesPaid = FeesPaid,
    };
}
