namespace OrleansTrader.Domain.Portfolio;

/// <summary>The result of one fill on a position: the new position, the realized P&amp;L of this fill (before fees) and its fee.</summary>
public sealed record PositionFill(Position Position, decimal RealizedPnl, decimal Fee, decimal ClosedQuantity);
