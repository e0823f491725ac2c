namespace OrleansTrader.Grains.Abstractions;

/// <summary>The closing order of one position in a close of all positions, or why there is none.</summary>
public sealed record PositionCloseResult(string Symbol, OrderCommandResult Result);
